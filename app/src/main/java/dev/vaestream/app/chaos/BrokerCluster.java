package dev.vaestream.app.chaos;

import dev.vaestream.core.process.ChildJvm;
import dev.vaestream.localkafka.LocalKafkaNode;
import dev.vaestream.localkafka.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three KRaft nodes, each a combined broker and controller in its own JVM ({@link LocalKafkaNode}),
 * on loopback ports chosen once and kept across restarts, each with a log directory that survives a
 * SIGKILL. Any node can be killed, stopped ({@code SIGSTOP}) or restarted alone; the static quorum
 * of all three keeps the metadata while two are up.
 *
 * <p>Topics are created with replication factor 3 and {@code min.insync.replicas=2}, as are the
 * internal offsets and transaction-state topics (the nodes' defaults). Thread-safe.
 */
final class BrokerCluster implements ChaosKafka {
  private static final Logger log = LoggerFactory.getLogger(BrokerCluster.class);
  private static final String MAIN = LocalKafkaNode.class.getName();
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final short REPLICATION = 3;

  private final int size;
  private final Path dir;
  private final String heap;
  private final String clusterId = Uuid.randomUuid().toString();
  private final List<Integer> brokerPorts = new ArrayList<>();
  private final List<Integer> controllerPorts = new ArrayList<>();
  private final Process[] processes;
  private final boolean[] down;
  private final List<String> unexpectedExits = new ArrayList<>();
  private final Admin admin;
  private int nextRestart;

  private BrokerCluster(int size, Path dir, String heap) {
    this.size = size;
    this.dir = dir;
    this.heap = heap;
    this.processes = new Process[size];
    this.down = new boolean[size];
    for (int i = 0; i < size; i++) {
      brokerPorts.add(LoopbackPorts.free());
      controllerPorts.add(LoopbackPorts.free());
    }
    Map<String, Object> config = new HashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "chaos-cluster-admin");
    this.admin = Admin.create(config);
  }

  /**
   * Starts {@code size} nodes with data and logs under {@code dir} and waits until every one is
   * registered as a broker.
   */
  static BrokerCluster start(int size, Path dir, String heap) {
    BrokerCluster c = new BrokerCluster(size, dir, heap);
    try {
      for (int i = 0; i < size; i++) {
        c.startNode(i);
      }
      c.awaitBrokers(size);
      log.info("chaos: {} brokers up at {}", size, c.bootstrapServers());
      return c;
    } catch (RuntimeException e) {
      c.close();
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      c.close();
      throw new IllegalStateException("interrupted while starting the cluster", e);
    }
  }

  @Override
  public String bootstrapServers() {
    return brokerPorts.stream().map(p -> "localhost:" + p).collect(Collectors.joining(","));
  }

  int size() {
    return size;
  }

  @Override
  public short replicationFactor() {
    return REPLICATION;
  }

  @Override
  public dev.vaestream.localkafka.LocalKafka local() {
    return null;
  }

  Admin admin() {
    return admin;
  }

  /** Node {@code i} (0-based) has node id {@code i + 1}. */
  private synchronized void startNode(int i) {
    try {
      Process p =
          ChildJvm.of(MAIN)
              .heap(heap)
              .args(
                  "--node-id",
                  Integer.toString(i + 1),
                  "--log-dir",
                  dir.resolve("data-" + (i + 1)).toAbsolutePath().toString(),
                  "--cluster-id",
                  clusterId,
                  "--broker-ports",
                  join(brokerPorts),
                  "--controller-ports",
                  join(controllerPorts))
              .logTo(dir.resolve("broker-" + (i + 1) + ".log"))
              .start();
      processes[i] = p;
      down[i] = false;
      log.info("chaos: started broker {} (pid {})", i + 1, p.pid());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start broker " + (i + 1), e);
    }
  }

  private static String join(List<Integer> ports) {
    return ports.stream().map(String::valueOf).collect(Collectors.joining(","));
  }

  /** SIGKILL of broker {@code i} (0-based); it stays down until {@link #restart}. */
  synchronized void kill(int i) throws InterruptedException {
    Process p = processes[i];
    down[i] = true;
    p.destroyForcibly();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("broker " + (i + 1) + " survived SIGKILL");
    }
    log.info("chaos: killed broker {}", i + 1);
  }

  /** Starts broker {@code i} again, on its ports and its data. */
  synchronized void restart(int i) {
    startNode(i);
  }

  /** SIGSTOP ({@code stop}) or SIGCONT of broker {@code i}: a stall, as a network partition. */
  synchronized void signal(int i, boolean stop) throws InterruptedException {
    String sig = stop ? "-STOP" : "-CONT";
    try {
      Process kill =
          new ProcessBuilder("kill", sig, Long.toString(processes[i].pid()))
              .redirectErrorStream(true)
              .start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill " + sig + " of broker " + (i + 1) + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    log.info("chaos: {} broker {}", stop ? "stopped (SIGSTOP)" : "continued (SIGCONT)", i + 1);
  }

  /** A clean restart (SIGTERM, then start) of the brokers in turn. */
  @Override
  public synchronized void restartBroker() {
    int i = nextRestart++ % size;
    try {
      down[i] = true;
      processes[i].destroy();
      if (!processes[i].waitFor(60, TimeUnit.SECONDS)) {
        processes[i].destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      startNode(i);
      awaitBrokers(size);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while restarting broker " + (i + 1), e);
    }
  }

  /**
   * Records and restarts any broker that died without being killed (the campaign counts these as
   * unexpected exits).
   */
  synchronized void check() {
    for (int i = 0; i < size; i++) {
      Process p = processes[i];
      if (p != null && !down[i] && !p.isAlive()) {
        String what =
            "broker "
                + (i + 1)
                + " exited by itself with code "
                + p.exitValue()
                + " (see "
                + dir.resolve("broker-" + (i + 1) + ".log")
                + ")";
        unexpectedExits.add(what);
        log.warn("chaos: {}; restarting it", what);
        startNode(i);
      }
    }
  }

  synchronized List<String> unexpectedExits() {
    return List.copyOf(unexpectedExits);
  }

  /** The 0-based index of the leader of {@code topic}'s partition, or -1 when it has none. */
  int leaderOf(String topic, int partition) throws Exception {
    TopicDescription d =
        admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
    Node leader = d.partitions().get(partition).leader();
    return leader == null || leader.isEmpty() ? -1 : leader.id() - 1;
  }

  /** The 0-based index of the coordinator of {@code transactionalId}. */
  int coordinatorOf(String transactionalId) throws Exception {
    return admin
            .describeTransactions(List.of(transactionalId))
            .description(transactionalId)
            .get(30, TimeUnit.SECONDS)
            .coordinatorId()
        - 1;
  }

  /** Waits until {@code n} brokers are registered. */
  void awaitBrokers(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= n) {
          return;
        }
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        last = e;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("fewer than " + n + " brokers registered in time", last);
  }

  /**
   * Waits (up to two minutes, then goes on with a warning) until every partition, the internal ones
   * included, has all its replicas in sync again, so the next fault starts from a whole cluster.
   */
  void awaitFullIsr() throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        java.util.Set<String> names =
            admin
                .listTopics(
                    new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
                .names()
                .get(10, TimeUnit.SECONDS);
        Map<String, TopicDescription> all =
            admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
        if (all.values().stream()
            .flatMap(d -> d.partitions().stream())
            .allMatch(BrokerCluster::fullyReplicated)) {
          return;
        }
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        log.debug("chaos: ISR unknown: {}", e.toString());
      }
      Thread.sleep(250);
    }
    log.warn("chaos: some partitions still under-replicated after {} s", TIMEOUT.toSeconds());
  }

  @Override
  public void createTopic(String name, int partitions, Map<String, String> configs) {
    Map<String, String> c = new HashMap<>(configs);
    c.putIfAbsent(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(REPLICATION - 1));
    NewTopic t = new NewTopic(name, partitions, REPLICATION).configs(c);
    try {
      admin.createTopics(List.of(t)).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (true) {
        try {
          TopicDescription d =
              admin
                  .describeTopics(List.of(name))
                  .allTopicNames()
                  .get(5, TimeUnit.SECONDS)
                  .get(name);
          if (d.partitions().stream().allMatch(BrokerCluster::fullyReplicated)) {
            return;
          }
        } catch (ExecutionException e) {
          // not known to the answering broker yet
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("topic " + name + " has no full ISR in time");
        }
        Thread.sleep(100);
      }
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot create topic " + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + name, e);
    }
  }

  private static boolean fullyReplicated(TopicPartitionInfo p) {
    return p.leader() != null && !p.leader().isEmpty() && p.isr().size() == REPLICATION;
  }

  /** Kills every broker and deletes their data; the logs stay. Idempotent. */
  @Override
  public void close() {
    admin.close(Duration.ofSeconds(2));
    killNow();
    for (int i = 0; i < size; i++) {
      deleteQuietly(dir.resolve("data-" + (i + 1)));
    }
  }

  /** SIGKILL of every broker, without waiting or locking: for the way out. */
  void killNow() {
    for (Process p : processes) {
      if (p != null && p.isAlive()) {
        p.destroyForcibly();
        try {
          p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private static void deleteQuietly(Path d) {
    if (!Files.exists(d)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(d)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      log.warn("chaos: could not delete {}", d, e);
    }
  }
}
