package dev.vaestream.app.chaos;

import dev.vaestream.app.process.InProcessBroker;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.kafka.CheckpointTopic;
import dev.vaestream.core.kafka.Topics;
import dev.vaestream.testsupport.EmbeddedKafka;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
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
  private static final String REFERENCE_SUFFIX = ".reference";
  private static final String TRAINER_GROUP = "vae-trainer";
  private static final String REFERENCE_GROUP = "vae-trainer-reference";
  private static final String SCORER_GROUP = "vae-scorer";
  private static final long TICK_MS = 500;
  private static final int TRAIN_IMAGES = 60_000;
  private static final long STOP_GRACE_SECONDS = 60;

  private final ChaosSettings settings;
  private final SplittableRandom random;
  private final CheckpointCodec codec = CheckpointCodec.withKey(ChaosSettings.HMAC_KEY);
  private final ResourceWatch resources = new ResourceWatch();
  private final AtomicBoolean aborted = new AtomicBoolean();
  private final List<String> failures = new ArrayList<>();
  private final List<SupervisedService> started = new java.util.concurrent.CopyOnWriteArrayList<>();
  private Path logs;
  private long deadlineNanos;
  private long backlogPeak;
  private long scorerCaughtUpNanos;

  Campaign(ChaosSettings settings) {
    this.settings = settings;
    this.random = new SplittableRandom(settings.seed());
  }

  /**
   * Runs the campaign. Whatever happens, no service JVM outlives it: they are killed on the way
   * out, and by a shutdown hook if this JVM is stopped.
   */
  ChaosReport run() throws Exception {
    Thread hook = new Thread(this::killAll, "chaos-kill-children");
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

  private ChaosReport campaign() throws Exception {
    long startNanos = System.nanoTime();
    deadlineNanos = startNanos + settings.timeout().toNanos();
    logs = settings.varDir().resolve("logs-" + System.currentTimeMillis());
    Files.createDirectories(logs);
    log.info("chaos: campaign {} (logs in {})", settings, logs);
    try (EmbeddedKafka broker = InProcessBroker.start();
        Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      String bootstrap = broker.bootstrapServers();
      createTopics(broker);

      CheckpointWatch watch = new CheckpointWatch(bootstrap, Topics.CHECKPOINTS, codec);
      Thread watchThread = daemon(watch, "chaos-checkpoint-watch");

      SupervisedService scorer =
          service("scorer", "scorer", port -> scorerArgs(bootstrap, logs, port));
      SupervisedService trainer =
          service("trainer", "trainer", port -> trainerArgs(bootstrap, "", port));
      SupervisedService producer =
          service("producer", "producer", port -> producerArgs(bootstrap, port));
      List<SupervisedService> services = List.of(producer, trainer, scorer);
      started.addAll(services);

      long workStartNanos = System.nanoTime();
      scorer.start();
      trainer.start();
      producer.start();

      KillLoop trainerKiller =
          new KillLoop(
              trainer,
              settings.kills(),
              settings.seed() * 31 + 1,
              settings.maxUptimeBeforeKill(),
              () -> !aborted.get());
      KillLoop scorerKiller =
          new KillLoop(
              scorer,
              settings.kills(),
              settings.seed() * 31 + 2,
              settings.maxUptimeBeforeKill(),
              () -> !aborted.get());
      Thread trainerKills = daemon(trainerKiller, "chaos-kill-trainer");
      Thread scorerKills = daemon(scorerKiller, "chaos-kill-scorer");
      SplittableRandom inputTiming = random.split();
      SplittableRandom checkpointTiming = random.split();
      HostileInjector hostile = new HostileInjector(bootstrap, () -> !aborted.get());
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

      // Faults phase: until every kill, restart and hostile record is done and the producer is.
      int restarts = 0;
      int totalKills = 2 * settings.kills();
      long lastLagCheck = 0;
      while (!aborted.get()
          && (trainerKills.isAlive()
              || scorerKills.isAlive()
              || hostileInputs.isAlive()
              || hostileCheckpoints.isAlive()
              || !producer.finished()
              || restarts < settings.brokerRestarts())) {
        tick(services);
        int killsSoFar = trainer.kills() + scorer.kills();
        boolean dueByKills =
            totalKills == 0
                || killsSoFar * (settings.brokerRestarts() + 1L) >= (restarts + 1L) * totalKills;
        boolean dueAnyway = !trainerKills.isAlive() && !scorerKills.isAlive();
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
          boolean inputComplete = producer.finished() && !hostileInputs.isAlive();
          if (inputComplete && scorerLag == 0 && scorerCaughtUpNanos == 0) {
            scorerCaughtUpNanos = System.nanoTime();
          }
        }
      }
      // Drain: both services up again after their last kill, and both committed everything.
      while (!aborted.get()
          && (!KillLoop.healthy(trainer.httpPort()) || !KillLoop.healthy(scorer.httpPort()))) {
        tick(services);
      }
      while (!aborted.get() && (lag(admin, TRAINER_GROUP) > 0 || lag(admin, SCORER_GROUP) > 0)) {
        tick(services);
        if (scorerCaughtUpNanos == 0 && lag(admin, SCORER_GROUP) == 0) {
          scorerCaughtUpNanos = System.nanoTime();
        }
      }
      if (scorerCaughtUpNanos == 0) {
        scorerCaughtUpNanos = System.nanoTime();
      }
      long drainedNanos = scorerCaughtUpNanos;
      Map<String, Integer> stopCodes = new LinkedHashMap<>();
      stopCodes.put("scorer", scorer.stop(STOP_GRACE_SECONDS));
      stopCodes.put("trainer", trainer.stop(STOP_GRACE_SECONDS));
      // Every model the scorer used was published before it stopped; let the watch catch up.
      Thread.sleep(2_000);
      watch.stop();
      watchThread.join(5_000);
      for (Thread t : List.of(trainerKills, scorerKills, hostileInputs, hostileCheckpoints)) {
        t.join(5_000);
      }

      // The same input, no faults.
      SupervisedService reference =
          service(
              "trainer-reference",
              "trainer",
              port -> trainerArgs(bootstrap, REFERENCE_SUFFIX, port));
      started.add(reference);
      if (!aborted.get()) {
        reference.start();
        while (!aborted.get() && lag(admin, REFERENCE_GROUP) > 0) {
          tick(List.of(reference));
        }
      }
      stopCodes.put("trainer-reference", reference.stop(STOP_GRACE_SECONDS));

      return report(
          bootstrap,
          services,
          reference,
          hostile,
          trainerKiller,
          scorerKiller,
          restarts,
          stopCodes,
          producer,
          workStartNanos,
          drainedNanos,
          startNanos,
          watch.validSteps());
    }
  }

  private void tick(List<SupervisedService> services) throws InterruptedException {
    Thread.sleep(TICK_MS);
    for (SupervisedService s : services) {
      s.check(s.name().equals("producer"));
    }
    resources.sample(services);
    if (System.nanoTime() > deadlineNanos && aborted.compareAndSet(false, true)) {
      failures.add("timed out after " + settings.timeout().toSeconds() + " s");
      log.error("chaos: timed out; stopping and reporting what happened so far");
    }
  }

  private ChaosReport report(
      String bootstrap,
      List<SupervisedService> services,
      SupervisedService reference,
      HostileInjector hostile,
      KillLoop trainerKiller,
      KillLoop scorerKiller,
      int restarts,
      Map<String, Integer> stopCodes,
      SupervisedService producer,
      long workStartNanos,
      long drainedNanos,
      long startNanos,
      Set<Long> validStepsSeen)
      throws IOException {
    Audit audit = new Audit(bootstrap);
    Audit.Input input = audit.input(Topics.IMAGES);
    Audit.Scores scores = audit.scores(Topics.SCORES);
    Audit.DeadLetterCopies dlq = audit.deadLetters(Topics.IMAGES_DLQ);

    long scoredDistinct = 0;
    long duplicates = 0;
    long unknown = 0;
    for (Map.Entry<String, Integer> e : scores.perImage().entrySet()) {
      if (input.imageIds().contains(e.getKey())) {
        scoredDistinct++;
        duplicates += e.getValue() - 1;
      } else {
        unknown += e.getValue();
      }
    }
    long lost = input.imageIds().size() - scoredDistinct;

    int hostileInDlq = 0;
    Set<String> hostilePositions = hostile.inputPositions();
    for (String p : hostilePositions) {
      Set<String> by = dlq.servicesByPosition().getOrDefault(p, Set.of());
      if (by.contains("trainer") && by.contains("scorer")) {
        hostileInDlq++;
      }
    }
    Set<String> invalidNotHostile = new HashSet<>(input.invalidPositions());
    invalidNotHostile.removeAll(hostilePositions);

    CheckpointWatch.Seen chaos = CheckpointWatch.newestOn(bootstrap, Topics.CHECKPOINTS, codec);
    CheckpointWatch.Seen fresh =
        CheckpointWatch.newestOn(bootstrap, Topics.CHECKPOINTS + REFERENCE_SUFFIX, codec);
    boolean identical =
        chaos != null
            && fresh != null
            && chaos.checkpoint().step() == fresh.checkpoint().step()
            && Arrays.equals(chaos.checkpoint().parameters(), fresh.checkpoint().parameters())
            && Arrays.equals(chaos.checkpoint().adamState(), fresh.checkpoint().adamState());

    Set<Long> validSteps = new HashSet<>(validStepsSeen);
    if (chaos != null) {
      validSteps.add(chaos.checkpoint().step());
    }
    long fromRejected = 0;
    for (Map.Entry<Long, Integer> e : scores.perModelStep().entrySet()) {
      if (!validSteps.contains(e.getKey())) {
        fromRejected += e.getValue();
      }
    }

    List<String> unexpected = new ArrayList<>();
    for (SupervisedService s : services) {
      unexpected.addAll(s.unexpectedExits());
    }
    unexpected.addAll(reference.unexpectedExits());
    Map<String, Long> heap = resources.peakHeapMb();
    Map<String, Long> rss = resources.peakRssMb();

    double producerRate = producerRate(producer.logFile());
    double scorerRate =
        input.imageIds().size() / Math.max(1e-9, (drainedNanos - workStartNanos) / 1e9);

    check(
        input.imageIds().size() == settings.images(),
        "the input holds "
            + input.imageIds().size()
            + " valid images, expected "
            + settings.images());
    check(input.duplicateIds() == 0, input.duplicateIds() + " image ids appear twice in the input");
    check(lost == 0, lost + " valid images have no score");
    check(duplicates == 0, duplicates + " duplicate scores");
    check(unknown == 0, unknown + " scores for ids that are not valid input images");
    check(
        hostileInDlq == hostilePositions.size(),
        (hostilePositions.size() - hostileInDlq) + " hostile inputs missing from the DLQ");
    check(invalidNotHostile.isEmpty(), invalidNotHostile.size() + " invalid inputs not injected");
    check(dlq.duplicates() == 0, dlq.duplicates() + " records dead-lettered twice by a service");
    check(
        identical,
        "final model differs from the fault-free run (steps "
            + (chaos == null ? "none" : chaos.checkpoint().step())
            + " vs "
            + (fresh == null ? "none" : fresh.checkpoint().step())
            + ")");
    check(fromRejected == 0, fromRejected + " scores made by a model no valid checkpoint holds");
    check(unexpected.isEmpty(), "unexpected exits: " + unexpected);
    stopCodes.forEach((k, v) -> check(v == 0, k + " exited with " + v + " on SIGTERM"));
    check(trainerKiller.failure() == null && scorerKiller.failure() == null, "a kill loop failed");
    check(
        services.get(1).kills() == settings.kills(),
        "trainer killed " + services.get(1).kills() + " times, planned " + settings.kills());
    check(
        services.get(2).kills() == settings.kills(),
        "scorer killed " + services.get(2).kills() + " times, planned " + settings.kills());
    heap.forEach((k, v) -> check(v < settings.heapLimitMb(), k + " heap peaked at " + v + " MiB"));
    rss.forEach((k, v) -> check(v < settings.rssLimitMb(), k + " RSS peaked at " + v + " MiB"));

    return new ChaosReport(
        input.imageIds().size(),
        scoredDistinct,
        lost,
        duplicates,
        services.get(1).kills(),
        services.get(2).kills(),
        restarts,
        hostilePositions.size(),
        hostileInDlq,
        identical,
        hostile.inputKinds(),
        hostile.checkpointsSent(),
        fromRejected,
        unknown,
        dlq.duplicates(),
        unexpected,
        stopCodes,
        heap,
        settings.heapLimitMb(),
        rss,
        settings.rssLimitMb(),
        backlogPeak,
        producerRate,
        scorerRate,
        chaos == null ? -1 : chaos.checkpoint().step(),
        fresh == null ? -1 : fresh.checkpoint().step(),
        (System.nanoTime() - startNanos) / 1e9,
        settings.seed(),
        List.copyOf(failures));
  }

  private void check(boolean ok, String failure) {
    if (!ok) {
      failures.add(failure);
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

  private void createTopics(EmbeddedKafka broker) {
    broker.createTopic(Topics.IMAGES, 1, Map.of());
    broker.createTopic(Topics.IMAGES_DLQ, 1, Map.of());
    broker.createTopic(Topics.IMAGES_DLQ + REFERENCE_SUFFIX, 1, Map.of());
    broker.createTopic(Topics.CHECKPOINTS, 1, CheckpointTopic.topicConfigs());
    broker.createTopic(Topics.CHECKPOINTS + REFERENCE_SUFFIX, 1, CheckpointTopic.topicConfigs());
    broker.createTopic(Topics.SCORES, 1, Map.of());
    broker.createTopic(Topics.STATS, 1, Map.of());
  }

  private List<String> scorerArgs(String bootstrap, Path logs, int port) {
    return List.of(
        "--bootstrap-servers",
        bootstrap,
        "--instance-id",
        "chaos",
        "--http-host",
        "127.0.0.1",
        "--http-port",
        Integer.toString(port),
        "--stats-state-dir",
        logs.resolve("scorer-state").toString());
  }

  private List<String> trainerArgs(String bootstrap, String suffix, int port) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "--bootstrap-servers", bootstrap,
                "--checkpoint-every", "50",
                "--checkpoint-interval", "2",
                "--http-host", "127.0.0.1",
                "--http-port", Integer.toString(port)));
    if (!suffix.isEmpty()) {
      a.addAll(
          List.of(
              "--checkpoint-topic", Topics.CHECKPOINTS + suffix,
              "--dlq-topic", Topics.IMAGES_DLQ + suffix,
              "--group-id", REFERENCE_GROUP,
              "--transactional-id", "vae-trainer" + suffix));
    }
    return a;
  }

  private List<String> producerArgs(String bootstrap, int port) {
    long epochs = (settings.images() + TRAIN_IMAGES - 1) / TRAIN_IMAGES;
    return List.of(
        "--bootstrap-servers",
        bootstrap,
        "--split",
        MnistSplit.TRAIN.wireName(),
        "--epochs",
        Long.toString(epochs),
        "--shuffle",
        "--seed",
        Long.toString(settings.seed()),
        "--limit",
        Integer.toString(settings.images()),
        "--anomaly-rate",
        Double.toString(settings.anomalyRate()),
        "--partitions",
        "1",
        "--rate",
        "0",
        "--http-host",
        "127.0.0.1",
        "--http-port",
        Integer.toString(port));
  }

  /** The producer's own figure, from the JSON line it prints last. */
  private static double producerRate(Path log) throws IOException {
    Matcher m = Pattern.compile("\"images_per_sec\":([0-9.]+)").matcher(Files.readString(log));
    double rate = 0;
    while (m.find()) {
      rate = Double.parseDouble(m.group(1));
    }
    return rate;
  }

  /** A service run as {@code vae-stream <command> args(port)}, logging to {@code <name>.log}. */
  private SupervisedService service(
      String name, String command, java.util.function.IntFunction<List<String>> args)
      throws IOException {
    int port = freePort();
    return new SupervisedService(
        name,
        command,
        args.apply(port),
        logs.resolve(name + ".log"),
        settings.heap(),
        port,
        Map.of("VAE_CHECKPOINT_HMAC_KEY", ChaosSettings.HMAC_KEY));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
