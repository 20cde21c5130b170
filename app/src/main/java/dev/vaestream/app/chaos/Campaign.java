package dev.vaestream.app.chaos;

import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.kafka.CheckpointTopic;
import dev.vaestream.core.kafka.TopicCatalog;
import dev.vaestream.core.kafka.TopicDefinition;
import dev.vaestream.core.kafka.Topics;
import dev.vaestream.core.security.ResourceNames;
import dev.vaestream.localkafka.LoopbackPorts;
import dev.vaestream.scorer.ScorerSettings;
import dev.vaestream.trainer.TrainerSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chaos campaign, start to finish: broker and topics, the three services as separate JVMs, the
 * faults, the drain, a fault-free reference trainer on the same input, and the audit.
 *
 * <p>The input topic has one partition: that is the shape for which the trainer promises bit-exact
 * training, so the final model can be compared with the reference run bit for bit.
 */
final class Campaign {
  private static final Logger log = LoggerFactory.getLogger(Campaign.class);
  static final String REFERENCE_SUFFIX = ".reference";

  private static final String TRAINER_GROUP = TrainerSettings.DEFAULT_ID;

  /** The reference trainer's names: its ACLs and its flags both come from these. */
  static final ResourceNames REFERENCE =
      ResourceNames.defaults().withTrainerSuffix(REFERENCE_SUFFIX);

  private static final String REFERENCE_GROUP = REFERENCE.trainerGroupId();
  private static final String SCORER_GROUP = ScorerSettings.DEFAULT_GROUP_ID;
  private static final long TICK_MS = 500;
  private static final long STOP_GRACE_SECONDS = 60;

  private final ChaosSettings settings;
  private final SplittableRandom random;
  private final CheckpointCodec codec = CheckpointCodec.withKey(ChaosSettings.HMAC_KEY);
  private final ResourceWatch resources = new ResourceWatch();
  private final AtomicBoolean aborted = new AtomicBoolean();
  private final BooleanSupplier keepGoing = () -> !aborted.get();
  private final List<String> failures = new ArrayList<>();
  private final List<SupervisedService> started = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ClusterSettings clusterSettings;
  private volatile ChaosKafka broker;
  private volatile BrokerCluster cluster;
  private BrokerKillLoop brokerKiller;
  private Thread brokerFaults;
  private ChaosSecurity security;
  private Map<String, Object> kafka;
  private Path logs;
  private ServiceCommands commands;
  private long deadlineNanos;
  private long backlogPeak;
  private long scorerCaughtUpNanos;

  Campaign(ChaosSettings settings) {
    this(settings, ClusterSettings.SINGLE);
  }

  /**
   * A campaign on one in-process broker, or on a cluster of broker processes with broker faults.
   */
  Campaign(ChaosSettings settings, ClusterSettings clusterSettings) {
    this.settings = settings;
    this.clusterSettings = clusterSettings;
    this.random = new SplittableRandom(settings.seed());
  }

  /**
   * Runs the campaign. Whatever happens, no service JVM outlives it: they are killed on the way
   * out, and by a shutdown hook if this JVM is stopped, which also stops the broker so its data
   * directory is removed (the in-process broker leaves that to its close()).
   */
  ChaosReport run() throws Exception {
    Thread hook =
        new Thread(
            () -> {
              killAll();
              ChaosKafka b = broker;
              if (b != null) {
                b.close();
              }
            },
            "chaos-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return campaign();
    } finally {
      killAll();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down: the hook is running
      }
    }
  }

  private void killAll() {
    for (SupervisedService s : started) {
      s.killNow();
    }
  }

  /** The three services under test, and when they were started. */
  private record Pipeline(
      SupervisedService producer,
      SupervisedService trainer,
      SupervisedService scorer,
      long workStartNanos) {
    List<SupervisedService> services() {
      return List.of(producer, trainer, scorer);
    }
  }

  /** The fault injectors, each on its own daemon thread. */
  private record Faults(
      KillLoop trainerKiller,
      KillLoop scorerKiller,
      Thread trainerKills,
      Thread scorerKills,
      HostileInjector hostile,
      Thread hostileInputs,
      Thread hostileCheckpoints) {
    boolean killing() {
      return trainerKills.isAlive() || scorerKills.isAlive();
    }

    boolean injecting() {
      return killing() || hostileInputs.isAlive() || hostileCheckpoints.isAlive();
    }

    List<Thread> threads() {
      return List.of(trainerKills, scorerKills, hostileInputs, hostileCheckpoints);
    }
  }

  /** The checkpoint topic's follower, on its own daemon thread. */
  private record Watch(CheckpointWatch watch, Thread thread) {}

  private ChaosReport campaign() throws Exception {
    long startNanos = System.nanoTime();
    deadlineNanos = startNanos + settings.timeout().toNanos();
    logs = settings.varDir().resolve("logs-" + System.currentTimeMillis());
    Files.createDirectories(logs);
    commands = new ServiceCommands(settings, logs);
    log.info("chaos: campaign {} (logs in {})", settings, logs);
    try (ChaosKafka broker = startBroker();
        Admin admin = Admin.create(broker.superUser())) {
      String bootstrap = broker.bootstrapServers();
      kafka = broker.superUser();
      createTopics(broker);
      Watch watch = watchCheckpoints(bootstrap);
      Pipeline pipeline = startPipeline(bootstrap);
      Faults faults = startFaults(bootstrap, pipeline, watch.watch());
      startBrokerFaults(startNanos);
      int restarts = injectFaults(broker, admin, pipeline, faults);
      drain(admin, pipeline);
      Map<String, Integer> stopCodes = stop(pipeline, faults, watch);
      SupervisedService reference = runReference(bootstrap, admin, stopCodes);
      if (brokerFaults != null) {
        brokerFaults.join(5_000);
      }
      ChaosReport report =
          judge(
              bootstrap,
              startNanos,
              pipeline,
              faults,
              reference,
              restarts,
              stopCodes,
              watch.watch());
      return ClusterReport.judge(report, cluster, brokerKiller, clusterSettings);
    }
  }

  private Watch watchCheckpoints(String bootstrap) {
    CheckpointWatch watch = new CheckpointWatch(kafka, Topics.CHECKPOINTS, codec);
    return new Watch(watch, daemon(watch, "chaos-checkpoint-watch"));
  }

  /** Starts scorer, trainer and producer as child JVMs, in that order. */
  private Pipeline startPipeline(String bootstrap) throws IOException {
    SupervisedService scorer =
        service("scorer", "scorer", false, port -> commands.scorer(bootstrap, port));
    SupervisedService trainer =
        service("trainer", "trainer", false, port -> commands.trainer(bootstrap, false, port));
    SupervisedService producer =
        service("producer", "producer", true, port -> commands.producer(bootstrap, port));
    Pipeline pipeline = new Pipeline(producer, trainer, scorer, System.nanoTime());
    started.addAll(pipeline.services());
    scorer.start();
    trainer.start();
    producer.start();
    return pipeline;
  }

  /** Starts the kill loops and the hostile input and checkpoint injectors. */
  private Faults startFaults(String bootstrap, Pipeline pipeline, CheckpointWatch watch) {
    KillLoop trainerKiller = killLoop(pipeline.trainer(), 1);
    KillLoop scorerKiller = killLoop(pipeline.scorer(), 2);
    Thread trainerKills = daemon(trainerKiller, "chaos-kill-trainer");
    Thread scorerKills = daemon(scorerKiller, "chaos-kill-scorer");
    SplittableRandom inputTiming = random.split();
    SplittableRandom checkpointTiming = random.split();
    HostileInjector hostile = new HostileInjector(kafka, keepGoing);
    Thread hostileInputs =
        daemon(
            () ->
                hostile.inputs(
                    Topics.IMAGES, settings.hostileInputs(), settings.seed(), inputTiming),
            "chaos-hostile-inputs");
    Thread hostileCheckpoints =
        daemon(
            () ->
                hostile.checkpoints(
                    Topics.CHECKPOINTS,
                    settings.hostileCheckpoints(),
                    ChaosSettings.HMAC_KEY,
                    settings.seed(),
                    watch,
                    checkpointTiming),
            "chaos-hostile-checkpoints");
    return new Faults(
        trainerKiller,
        scorerKiller,
        trainerKills,
        scorerKills,
        hostile,
        hostileInputs,
        hostileCheckpoints);
  }

  /**
   * The faults phase: until every kill, broker restart and hostile record is done and the producer
   * has finished. Broker restarts are spread evenly over the kills. Returns the restarts done.
   */
  private int injectFaults(ChaosKafka broker, Admin admin, Pipeline pipeline, Faults faults)
      throws InterruptedException {
    int restarts = 0;
    int totalKills = 2 * settings.kills();
    long lastLagCheck = 0;
    while (!aborted.get()
        && (faults.injecting()
            || (brokerFaults != null && brokerFaults.isAlive())
            || !pipeline.producer().finished()
            || restarts < settings.brokerRestarts())) {
      tick(pipeline.services());
      int killsSoFar = pipeline.trainer().kills() + pipeline.scorer().kills();
      boolean dueByKills =
          totalKills == 0
              || killsSoFar * (settings.brokerRestarts() + 1L) >= (restarts + 1L) * totalKills;
      boolean dueAnyway = !faults.killing();
      if (restarts < settings.brokerRestarts() && (dueByKills || dueAnyway)) {
        log.info(
            "chaos: restarting the broker ({} of {})", restarts + 1, settings.brokerRestarts());
        broker.restartBroker();
        restarts++;
      }
      if (System.nanoTime() - lastLagCheck > 1_000_000_000L) {
        long scorerLag = lag(admin, SCORER_GROUP);
        if (scorerLag != Long.MAX_VALUE) {
          backlogPeak = Math.max(backlogPeak, scorerLag);
        }
        lastLagCheck = System.nanoTime();
        if (pipeline.producer().finished() && !faults.hostileInputs().isAlive()) {
          noteScorerLag(scorerLag);
        }
      }
    }
    return restarts;
  }

  /** The drain: both services up again after their last kill, and both committed everything. */
  private void drain(Admin admin, Pipeline pipeline) throws InterruptedException {
    while (!aborted.get()
        && (!KillLoop.healthy(pipeline.trainer().httpPort())
            || !KillLoop.healthy(pipeline.scorer().httpPort()))) {
      tick(pipeline.services());
    }
    while (!aborted.get()) {
      long scorerLag = lag(admin, SCORER_GROUP);
      noteScorerLag(scorerLag);
      if (scorerLag == 0 && lag(admin, TRAINER_GROUP) == 0) {
        break;
      }
      tick(pipeline.services());
    }
    // Aborted before the scorer caught up: its rate is measured to now.
    noteScorerLag(0);
  }

  /** Stops scorer and trainer gracefully and waits for the watch and the fault threads. */
  private Map<String, Integer> stop(Pipeline pipeline, Faults faults, Watch watch)
      throws InterruptedException {
    Map<String, Integer> stopCodes = new LinkedHashMap<>();
    stopCodes.put("scorer", pipeline.scorer().stop(STOP_GRACE_SECONDS));
    stopCodes.put("trainer", pipeline.trainer().stop(STOP_GRACE_SECONDS));
    // Every model the scorer used was committed before it stopped: the watch reads on to the
    // topic's end so it has seen them all.
    watch.watch().stopAtEnd();
    watch.thread().join(60_000);
    watch.watch().stop();
    for (Thread t : faults.threads()) {
      t.join(5_000);
    }
    return stopCodes;
  }

  /** The same input, no faults: a reference trainer on its own group and checkpoint topic. */
  private SupervisedService runReference(
      String bootstrap, Admin admin, Map<String, Integer> stopCodes)
      throws IOException, InterruptedException {
    SupervisedService reference =
        service(
            "trainer-reference", "trainer", false, port -> commands.trainer(bootstrap, true, port));
    started.add(reference);
    if (!aborted.get()) {
      reference.start();
      while (!aborted.get() && lag(admin, REFERENCE_GROUP) > 0) {
        tick(List.of(reference));
      }
    }
    stopCodes.put("trainer-reference", reference.stop(STOP_GRACE_SECONDS));
    return reference;
  }

  /** The audit of what was observed. */
  private ChaosReport judge(
      String bootstrap,
      long startNanos,
      Pipeline pipeline,
      Faults faults,
      SupervisedService reference,
      int restarts,
      Map<String, Integer> stopCodes,
      CheckpointWatch watch)
      throws IOException {
    Verdict.Observed observed =
        new Verdict.Observed(
            pipeline.producer(),
            pipeline.trainer(),
            pipeline.scorer(),
            reference,
            faults.hostile(),
            List.of(faults.trainerKiller(), faults.scorerKiller()),
            restarts,
            stopCodes,
            resources.peakHeapMb(),
            resources.peakRssMb(),
            backlogPeak,
            (scorerCaughtUpNanos - pipeline.workStartNanos()) / 1e9,
            watch.validSteps(),
            watch.newest(),
            failures);
    return new Verdict(settings, kafka, codec)
        .judge(observed, REFERENCE.checkpointsTopic(), (System.nanoTime() - startNanos) / 1e9);
  }

  private void tick(List<SupervisedService> services) throws InterruptedException {
    Thread.sleep(TICK_MS);
    BrokerCluster c = cluster;
    if (c != null) {
      c.check();
    }
    for (SupervisedService s : services) {
      s.check();
    }
    resources.sample(services);
    if (System.nanoTime() > deadlineNanos && aborted.compareAndSet(false, true)) {
      failures.add("timed out after " + settings.timeout().toSeconds() + " s");
      log.error("chaos: timed out; stopping and reporting what happened so far");
    }
  }

  /**
   * Records of the input topic that {@code group} has not committed yet (the topic's whole length
   * while it has committed nothing).
   */
  private static long lag(Admin admin, String group) {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(30, TimeUnit.SECONDS);
      TopicPartition tp = new TopicPartition(Topics.IMAGES, 0);
      long end =
          admin
              .listOffsets(Map.of(tp, OffsetSpec.latest()))
              .partitionResult(tp)
              .get(30, TimeUnit.SECONDS)
              .offset();
      OffsetAndMetadata c = committed.get(tp);
      return end - (c == null ? 0 : c.offset());
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      log.debug("chaos: lag of {} unknown: {}", group, e.toString());
      return Long.MAX_VALUE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Long.MAX_VALUE;
    }
  }

  private void createTopics(ChaosKafka broker) {
    if (broker.local() != null) {
      security =
          ChaosSecurity.setUp(
              broker.local(), logs.resolve("secrets"), REFERENCE, ChaosSettings.HMAC_KEY);
    } else {
      for (TopicDefinition t : TopicCatalog.standard(1, broker.replicationFactor())) {
        broker.createTopic(t.name(), t.partitions(), t.configs());
      }
      security = ChaosSecurity.none();
    }
    // The reference trainer's own dead letters and checkpoints.
    broker.createTopic(REFERENCE.dlqTopic(), 1, Map.of());
    broker.createTopic(REFERENCE.checkpointsTopic(), 1, CheckpointTopic.topicConfigs());
    broker.createTopic(REFERENCE.eventsTopic(), 1, Map.of());
  }

  /**
   * A service run as {@code vae-stream <command> args(port)}, logging to {@code <name>.log}; {@code
   * bounded}: a job whose exit 0 is its normal end.
   */
  private SupervisedService service(
      String name,
      String command,
      boolean bounded,
      java.util.function.IntFunction<List<String>> args)
      throws IOException {
    int port = LoopbackPorts.free();
    List<String> a = new ArrayList<>(args.apply(port));
    a.addAll(security.argsFor(name));
    return new SupervisedService(
        name,
        command,
        a,
        logs.resolve(name + ".log"),
        settings.heap(),
        port,
        Map.of("VAE_CHECKPOINT_HMAC_KEY", ChaosSettings.HMAC_KEY),
        bounded);
  }

  /** Kills {@code s} {@code --kills} times on a schedule seeded from the campaign's seed. */
  private KillLoop killLoop(SupervisedService s, int salt) {
    return new KillLoop(
        s,
        settings.kills(),
        settings.seed() * 31 + salt,
        settings.maxUptimeBeforeKill(),
        keepGoing);
  }

  /**
   * Records when the scorer first had nothing left to score once the input was complete: the end of
   * its end-to-end rate.
   */
  private void noteScorerLag(long scorerLag) {
    if (scorerLag == 0 && scorerCaughtUpNanos == 0) {
      scorerCaughtUpNanos = System.nanoTime();
    }
  }

  private ChaosKafka startBroker() {
    if (clusterSettings.cluster()) {
      if (settings.secure()) {
        throw new IllegalArgumentException("--secure is not supported with --brokers 3 yet");
      }
      cluster =
          BrokerCluster.start(
              clusterSettings.brokers(), logs.resolve("brokers"), clusterSettings.brokerHeap());
      broker = cluster;
    } else {
      broker = ChaosKafka.single(ChaosSecurity.startBroker(settings.secure()));
    }
    return broker;
  }

  /** On a cluster: the broker faults, on their own daemon thread. */
  private void startBrokerFaults(long startNanos) {
    if (cluster == null) {
      return;
    }
    brokerKiller =
        new BrokerKillLoop(
            cluster,
            clusterSettings,
            settings.seed() * 31 + 3,
            List.of(SCORER_GROUP, TRAINER_GROUP),
            TrainerSettings.DEFAULT_ID,
            startNanos,
            keepGoing);
    brokerFaults = daemon(brokerKiller, "chaos-broker-faults");
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
