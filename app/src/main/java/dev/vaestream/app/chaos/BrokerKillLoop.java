package dev.vaestream.app.chaos;

import dev.vaestream.core.kafka.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker faults of a campaign on a {@link BrokerCluster}, one after the other, each followed by
 * a wait until trainer and scorer commit images again (its recovery time): first a kill of the
 * leader of the scores partition while the scorer is writing to it in transactions, then a kill of
 * the trainer's transaction coordinator, then two brokers down at once, then the stalls, then
 * random kills until at least {@code brokerKills} SIGKILLs. Targets and delays come from a seeded
 * random source; a broker is restarted after a random delay, and the next fault waits until every
 * partition is fully replicated again.
 */
final class BrokerKillLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(BrokerKillLoop.class);
  private static final long RECOVERY_LIMIT_MS = 600_000;
  private static final long WORK_WAIT_MS = 60_000;

  private final BrokerCluster cluster;
  private final ClusterSettings settings;
  private final SplittableRandom random;
  private final List<String> groups;
  private final String transactionalId;
  private final long campaignStartNanos;
  private final BooleanSupplier keepGoing;
  private final List<BrokerFault> faults = new ArrayList<>();
  private volatile Throwable failure;

  BrokerKillLoop(
      BrokerCluster cluster,
      ClusterSettings settings,
      long seed,
      List<String> groups,
      String transactionalId,
      long campaignStartNanos,
      BooleanSupplier keepGoing) {
    this.cluster = cluster;
    this.settings = settings;
    this.random = new SplittableRandom(seed);
    this.groups = List.copyOf(groups);
    this.transactionalId = transactionalId;
    this.campaignStartNanos = campaignStartNanos;
    this.keepGoing = keepGoing;
  }

  /** The fault kinds in order, from the settings alone. */
  static List<String> plan(int brokerKills, int stalls) {
    List<String> plan = new ArrayList<>();
    int kills = 0;
    for (String kind : List.of("leader", "coordinator", "two_down")) {
      if (kills < brokerKills) {
        plan.add(kind);
        kills += kind.equals("two_down") ? 2 : 1;
      }
    }
    for (int i = 0; i < stalls; i++) {
      plan.add("stall");
    }
    while (kills < brokerKills) {
      plan.add("random");
      kills++;
    }
    return plan;
  }

  @Override
  public void run() {
    try {
      for (String kind : plan(settings.brokerKills(), settings.brokerStalls())) {
        if (!keepGoing.getAsBoolean()) {
          return;
        }
        cluster.awaitFullIsr();
        Thread.sleep(random.nextLong(500, 3_000));
        fault(kind);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      failure = e;
      log.error("chaos: broker fault loop failed: {}", e.toString());
    }
  }

  private void fault(String kind) throws Exception {
    List<Integer> targets = new ArrayList<>();
    switch (kind) {
      case "leader" -> {
        awaitOpenTransaction(Topics.SCORES);
        targets.add(orRandom(cluster.leaderOf(Topics.SCORES, 0)));
      }
      case "coordinator" -> targets.add(orRandom(coordinator()));
      case "two_down" -> {
        int a = random.nextInt(cluster.size());
        targets.add(a);
        targets.add((a + 1 + random.nextInt(cluster.size() - 1)) % cluster.size());
      }
      default -> targets.add(random.nextInt(cluster.size()));
    }
    Map<String, Long> before = committed();
    boolean duringTransaction =
        openTransaction(Topics.SCORES) || openTransaction(Topics.CHECKPOINTS);
    double downAt = now();
    if (kind.equals("stall")) {
      cluster.signal(targets.get(0), true);
      Thread.sleep(random.nextLong(2_000, 6_000));
      cluster.signal(targets.get(0), false);
    } else {
      for (int t : targets) {
        cluster.kill(t);
      }
      Thread.sleep(random.nextLong(1_000, 5_000));
      for (int t : targets) {
        cluster.restart(t);
      }
    }
    double upAt = now();
    double recovered = awaitRecovery(before);
    List<Integer> nodeIds = targets.stream().map(t -> t + 1).toList();
    BrokerFault f =
        new BrokerFault(
            kind,
            nodeIds,
            duringTransaction,
            downAt,
            upAt,
            recovered < 0 ? -1 : recovered - downAt);
    synchronized (this) {
      faults.add(f);
    }
    log.info("chaos: broker fault {}", f.toJson());
  }

  /**
   * Waits (bounded) until a transaction is open on partition 0 of {@code topic}: its last stable
   * offset is below its high watermark, so records of an undecided transaction are on it.
   */
  private void awaitOpenTransaction(String topic) throws InterruptedException {
    long deadline = System.currentTimeMillis() + WORK_WAIT_MS;
    while (System.currentTimeMillis() < deadline && keepGoing.getAsBoolean()) {
      if (openTransaction(topic)) {
        return;
      }
      Thread.sleep(50);
    }
  }

  /** Whether partition 0 of {@code topic} holds records of a transaction not yet decided. */
  private boolean openTransaction(String topic) {
    TopicPartition tp = new TopicPartition(topic, 0);
    try {
      // The last stable offset first: if the high watermark read after it is higher, records of
      // a transaction not decided at the first read were on the partition, or were written
      // between the two reads; either way a transaction was writing to it right then.
      long lastStable =
          cluster
              .admin()
              .listOffsets(
                  Map.of(tp, OffsetSpec.latest()),
                  new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
              .partitionResult(tp)
              .get(10, TimeUnit.SECONDS)
              .offset();
      long highWatermark =
          cluster
              .admin()
              .listOffsets(Map.of(tp, OffsetSpec.latest()))
              .partitionResult(tp)
              .get(10, TimeUnit.SECONDS)
              .offset();
      return lastStable < highWatermark;
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private int coordinator() throws InterruptedException {
    long deadline = System.currentTimeMillis() + WORK_WAIT_MS;
    while (System.currentTimeMillis() < deadline && keepGoing.getAsBoolean()) {
      try {
        return cluster.coordinatorOf(transactionalId);
      } catch (Exception e) {
        log.debug("chaos: coordinator of {} unknown yet: {}", transactionalId, e.toString());
        Thread.sleep(500);
      }
    }
    return -1;
  }

  private int orRandom(int broker) {
    return broker >= 0 ? broker : random.nextInt(cluster.size());
  }

  /**
   * Seconds since the campaign started when every group had committed past where it was at the
   * fault, or had nothing left to commit; -1 after the limit.
   */
  private double awaitRecovery(Map<String, Long> before) throws InterruptedException {
    long deadline = System.currentTimeMillis() + RECOVERY_LIMIT_MS;
    while (System.currentTimeMillis() < deadline && keepGoing.getAsBoolean()) {
      Map<String, Long> now = committed();
      boolean all = now.get("end") >= 0;
      for (String g : groups) {
        long was = before.getOrDefault(g, -1L);
        long is = now.getOrDefault(g, -1L);
        boolean idle = is >= 0 && is == now.get("end");
        all &= is >= 0 && (is > was || idle);
      }
      if (all) {
        return now();
      }
      Thread.sleep(200);
    }
    return -1;
  }

  /** Committed input offsets of each group (-1 unknown) and the input's end ("end"). */
  private Map<String, Long> committed() {
    Admin admin = cluster.admin();
    Map<String, Long> m = new java.util.HashMap<>();
    TopicPartition tp = new TopicPartition(Topics.IMAGES, 0);
    try {
      m.put(
          "end",
          admin
              .listOffsets(Map.of(tp, OffsetSpec.latest()))
              .partitionResult(tp)
              .get(10, TimeUnit.SECONDS)
              .offset());
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      m.put("end", -1L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      m.put("end", -1L);
    }
    for (String g : groups) {
      try {
        OffsetAndMetadata o =
            admin
                .listConsumerGroupOffsets(g)
                .partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS)
                .get(tp);
        m.put(g, o == null ? 0L : o.offset());
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        m.put(g, -1L);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        m.put(g, -1L);
      }
    }
    return m;
  }

  private double now() {
    return (System.nanoTime() - campaignStartNanos) / 1e9;
  }

  synchronized List<BrokerFault> faults() {
    return List.copyOf(faults);
  }

  Throwable failure() {
    return failure;
  }
}
