package dev.vaestream.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker inside the test JVM: one KRaft node that is both broker and controller, built
 * on Apache Kafka's own {@link KafkaClusterTestKit}.
 *
 * <p>Why: the services are tested against the genuine broker protocol (transactions, consumer
 * groups, large records, restarts) without Docker and in about two seconds of start-up. The broker
 * is configured for a single node (replication factor 1 and one partition for the offsets and
 * transaction-state topics, no initial rebalance delay) and accepts records up to {@value
 * #MAX_MESSAGE_BYTES} bytes, so a topic may set {@code max.message.bytes} up to 64 MiB. It runs at
 * the test kit's default (newest, possibly not yet production) metadata version. Its data lives in
 * a temporary directory that {@link #close()} deletes.
 *
 * <p>Most tests should not start their own broker but share the one of {@link KafkaBrokerExtension}
 * and use unique topic names. A test that restarts the broker ({@link #restartBroker()}) should
 * start a private instance with {@link #start()} so it does not disturb tests running beside it.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public final class EmbeddedKafka implements AutoCloseable {

  /** Largest record batch the broker accepts by default, and the most a topic may allow. */
  public static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final long POLL_MS = 50;

  private final KafkaClusterTestKit cluster;
  private final String bootstrapServers;
  private final BrokerSecurity security;
  private final Admin admin;
  private boolean closed;

  private EmbeddedKafka(KafkaClusterTestKit cluster, BrokerSecurity security) {
    this.cluster = cluster;
    this.bootstrapServers = cluster.bootstrapServers();
    this.security = security;
    this.admin = Admin.create(adminClientConfig());
  }

  /** Starts a broker with the default configuration and waits until it accepts clients. */
  public static EmbeddedKafka start() {
    return start(new Properties());
  }

  /**
   * Starts a broker in secured mode ({@link BrokerSecurity}): SASL_SSL only, SCRAM-SHA-512 users,
   * and an authorizer that denies what no ACL allows. Topics, users and ACLs are set up through
   * this class, as the super user; clients connect with {@link BrokerSecurity#clientConfig}.
   */
  public static EmbeddedKafka startSecured() {
    BrokerSecurity security = BrokerSecurity.create();
    try {
      return start(new Properties(), security);
    } catch (RuntimeException e) {
      security.close();
      throw e;
    }
  }

  /**
   * Starts a broker whose configuration is the defaults overridden by {@code extraBrokerConfig},
   * and waits until it accepts clients.
   *
   * @param extraBrokerConfig broker configs (e.g. {@code log.retention.ms}); they win over the
   *     defaults
   * @throws IllegalStateException if the broker does not start
   */
  public static EmbeddedKafka start(Properties extraBrokerConfig) {
    return start(extraBrokerConfig, null);
  }

  private static EmbeddedKafka start(Properties extraBrokerConfig, BrokerSecurity security) {
    long startNanos = System.nanoTime();
    Map<String, Object> config = defaultBrokerConfig();
    if (security != null) {
      Properties secured = security.brokerConfig();
      secured.stringPropertyNames().forEach(k -> config.put(k, secured.getProperty(k)));
    }
    extraBrokerConfig
        .stringPropertyNames()
        .forEach(k -> config.put(k, extraBrokerConfig.getProperty(k)));

    KafkaClusterTestKit cluster = null;
    try {
      TestKitNodes nodes =
          new TestKitNodes.Builder()
              .setCombined(true)
              .setNumBrokerNodes(1)
              .setNumControllerNodes(1)
              .build();
      KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
      config.forEach(builder::setConfigProp);
      cluster = builder.build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      EmbeddedKafka kafka = new EmbeddedKafka(cluster, security);
      log.info(
          "Embedded Kafka broker started at {}{} in {} ms (data in {})",
          kafka.bootstrapServers,
          security == null ? "" : " (SASL_SSL, ACLs)",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
          nodes.baseDirectory());
      return kafka;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      closeQuietly(cluster);
      throw new IllegalStateException("Embedded Kafka broker failed to start", e);
    }
  }

  private static Map<String, Object> defaultBrokerConfig() {
    Map<String, Object> config = new LinkedHashMap<>();
    // One node: the internal topics can only have one replica.
    config.put("offsets.topic.replication.factor", "1");
    config.put("offsets.topic.num.partitions", "1");
    config.put("transaction.state.log.replication.factor", "1");
    config.put("transaction.state.log.min.isr", "1");
    config.put("transaction.state.log.num.partitions", "1");
    config.put("min.insync.replicas", "1");
    // Tests should not wait 3 s for the first consumer group rebalance.
    config.put("group.initial.rebalance.delay.ms", "0");
    // A restarted broker can only re-register once the controller has expired its old session
    // (default 9 s); a shorter session makes restartBroker() take seconds, not ten.
    config.put("broker.session.timeout.ms", "4000");
    config.put("broker.heartbeat.interval.ms", "500");
    // Large records: a topic may allow up to 64 MiB, so the broker and its sockets must too.
    config.put("message.max.bytes", Integer.toString(MAX_MESSAGE_BYTES));
    config.put("replica.fetch.max.bytes", Integer.toString(MAX_MESSAGE_BYTES));
    config.put("replica.fetch.response.max.bytes", Integer.toString(2 * MAX_MESSAGE_BYTES));
    config.put("socket.request.max.bytes", Integer.toString(2 * MAX_MESSAGE_BYTES));
    config.put("auto.create.topics.enable", "true");
    config.put("num.partitions", "1");
    return config;
  }

  /** The {@code bootstrap.servers} value for clients; it stays the same across restarts. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * The settings a client needs to reach this broker as its administrator: nothing beyond {@code
   * bootstrap.servers} on an open broker, the super user's SASL_SSL settings on a secured one.
   */
  public Map<String, Object> adminClientConfig() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-admin");
    if (security != null) {
      config.putAll(security.adminClientConfig());
    }
    return config;
  }

  /** The secured mode's key material and client settings, or null on an open broker. */
  public BrokerSecurity security() {
    return security;
  }

  /**
   * Creates (or replaces) a SCRAM-SHA-512 user and waits until the broker accepts its login.
   *
   * @throws IllegalStateException on an open broker, or if the user cannot log in in time
   */
  public void addScramUser(String user, String password) {
    if (security == null) {
      throw new IllegalStateException("SCRAM users need a broker started with startSecured()");
    }
    try {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password)))
          .all()
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      Map<String, Object> client = new LinkedHashMap<>(security.clientConfig(user, password));
      client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      try (Admin probe = Admin.create(client)) {
        while (true) {
          try {
            probe.describeCluster().nodes().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return;
          } catch (ExecutionException e) {
            // The broker learns of new credentials from the metadata log a moment later.
            if (System.nanoTime() > deadline) {
              throw new IllegalStateException("SCRAM user " + user + " cannot log in", e);
            }
            Thread.sleep(POLL_MS);
          }
        }
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Could not create SCRAM user " + user, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating SCRAM user " + user, e);
    }
  }

  /**
   * Creates ACLs and waits until the broker enforces them.
   *
   * @throws IllegalStateException if they cannot be created
   */
  public void createAcls(Collection<AclBinding> acls) {
    try {
      admin.createAcls(acls).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      // ACLs reach the broker's authorizer through the metadata log: wait until it lists them.
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (admin.describeAcls(AclBindingFilter.ANY).values().get().size() < acls.size()
          || !admin.describeAcls(AclBindingFilter.ANY).values().get().containsAll(acls)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("ACLs not visible on the broker in time");
        }
        Thread.sleep(POLL_MS);
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Could not create ACLs", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating ACLs", e);
    }
  }

  /** Creates a topic with one partition and the broker's default configs. */
  public void createTopic(String name, int partitions) {
    createTopic(name, partitions, Map.of());
  }

  /**
   * Creates a topic (replication factor 1) and waits until every partition has a leader, so clients
   * can use it at once.
   *
   * @param configs topic configs, e.g. {@code max.message.bytes} or {@code cleanup.policy}
   * @throws IllegalStateException if the topic already exists or is not ready in time
   */
  public void createTopic(String name, int partitions, Map<String, String> configs) {
    NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(configs);
    try {
      admin.createTopics(List.of(topic)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        throw new IllegalStateException("Topic " + name + " already exists", e.getCause());
      }
      throw new IllegalStateException("Could not create topic " + name, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topic " + name, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Timed out creating topic " + name, e);
    }
    awaitLeaders(List.of(name));
    log.debug("Created topic {} with {} partitions and configs {}", name, partitions, configs);
  }

  /**
   * Stops the broker and starts it again on the same port with the same data, then waits until
   * every partition (internal ones included) has a leader again.
   *
   * <p>Only the broker side of the combined node is bounced: the KRaft controller and the metadata
   * log keep running, as in a rolling restart of a broker whose controller quorum lives elsewhere.
   * The broker shuts down cleanly (controlled shutdown), so the log is not recovered from a crash.
   * Clients see disconnects and retriable errors ({@code NOT_LEADER_OR_FOLLOWER}, {@code
   * COORDINATOR_NOT_AVAILABLE}) while it is down and reconnect by themselves to the same {@link
   * #bootstrapServers()}. A restart takes about 4-5 s: the controller accepts the new broker
   * incarnation only once the old one's session ({@code broker.session.timeout.ms}, set to 4 s here
   * instead of Kafka's 9 s) has expired. An ongoing transaction of a producer that was sending
   * during the restart may be aborted by the broker and has to be retried by the caller.
   *
   * @throws IllegalStateException if the broker does not come back in time
   */
  public synchronized void restartBroker() {
    ensureOpen();
    long startNanos = System.nanoTime();
    try {
      for (BrokerServer broker : cluster.brokers().values()) {
        broker.shutdown();
        broker.awaitShutdown();
      }
      long downNanos = System.nanoTime();
      for (BrokerServer broker : cluster.brokers().values()) {
        broker.startup();
      }
      cluster.waitForReadyBrokers();
      awaitLeaders(allTopics());
      log.info(
          "Embedded Kafka broker restarted in {} ms (of which {} ms to start again)",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - downNanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while restarting the broker", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Broker did not come back after a restart", e.getCause());
    }
  }

  /** Stops the broker and deletes its data. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long startNanos = System.nanoTime();
    admin.close(Duration.ofSeconds(5));
    try {
      cluster.close();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      log.warn("Embedded Kafka broker did not close cleanly", e);
    }
    if (security != null) {
      security.close();
    }
    log.info(
        "Embedded Kafka broker at {} stopped in {} ms",
        bootstrapServers,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
  }

  private synchronized void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("Embedded Kafka broker is closed");
    }
  }

  private Set<String> allTopics() throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      try {
        return admin
            .listTopics(new ListTopicsOptions().listInternal(true))
            .names()
            .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Could not list topics after a restart", e);
        }
        Thread.sleep(POLL_MS);
      }
    }
  }

  /** Waits until every partition of the given topics has a leader. */
  private void awaitLeaders(Collection<String> topics) {
    if (topics.isEmpty()) {
      return;
    }
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    Exception lastError = null;
    List<String> pending = new ArrayList<>(topics);
    try {
      while (System.nanoTime() < deadline) {
        try {
          Map<String, TopicDescription> descriptions =
              admin.describeTopics(pending).allTopicNames().get(5, TimeUnit.SECONDS);
          pending.removeIf(t -> allLed(descriptions.get(t)));
          if (pending.isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          // Metadata not propagated yet (UnknownTopicOrPartition) or broker still starting.
          lastError = e;
        }
        Thread.sleep(POLL_MS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for partition leaders", e);
    }
    throw new IllegalStateException(
        "No leader in time for the partitions of " + pending, lastError);
  }

  private static boolean allLed(TopicDescription description) {
    if (description == null) {
      return false;
    }
    for (TopicPartitionInfo partition : description.partitions()) {
      Node leader = partition.leader();
      if (leader == null || leader.isEmpty()) {
        return false;
      }
    }
    return true;
  }

  private static void closeQuietly(KafkaClusterTestKit cluster) {
    if (cluster == null) {
      return;
    }
    try {
      cluster.close();
    } catch (Exception e) {
      log.warn("Could not close a broker that failed to start", e);
    }
  }
}
