package dev.vaestream.scorer;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.kafka.TopicCatalog;
import dev.vaestream.core.kafka.TopicDefinition;
import dev.vaestream.core.kafka.TopicReport;
import dev.vaestream.core.kafka.TopicSetup;
import dev.vaestream.core.metrics.Health;
import dev.vaestream.core.metrics.MetricsServer;
import dev.vaestream.core.metrics.ServiceMetrics;
import dev.vaestream.core.service.AbstractService;
import dev.vaestream.core.service.Service;
import dev.vaestream.scorer.stats.StatsMetrics;
import dev.vaestream.scorer.stats.StatsStream;
import dev.vaestream.scorer.stats.StatsTopology;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scorer process, assembled: the metrics registry and HTTP endpoint, the output topics, the
 * {@link ModelFollower} thread, the {@link ScoringLoop} thread and, unless disabled, the in-process
 * statistics stream. A {@link Service}: {@link #start()} returns once everything runs; {@link
 * #awaitTermination()} blocks until the scoring loop ends; {@link #close} stops everything in
 * reverse order of creation.
 */
public final class ScorerService extends AbstractService {
  private static final Logger log = LoggerFactory.getLogger(ScorerService.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long JOIN_MS = 30_000;
  private static final int GALLERY_SIZE = 8;

  private final ScorerSettings settings;
  private final ScorerClients clients;
  private final ServiceMetrics serviceMetrics;
  private final PrometheusMeterRegistry registry;
  private final AtomicReference<LoadedModel> model = new AtomicReference<>();
  private final ScorerMetrics metrics;
  private final ScorerHealth health;
  private final AnomalyGallery gallery = new AnomalyGallery(GALLERY_SIZE);
  private final StatsMetrics statsMetrics;
  private final AtomicInteger fatalExitCode = new AtomicInteger(ExitCodes.OK);
  private ModelFollower follower;
  private Thread followerThread;
  private ScoringLoop loop;
  private Thread loopThread;

  /** Builds a scorer from its settings; nothing is opened before {@link #start()}. */
  public ScorerService(ScorerSettings settings) {
    this.settings = settings;
    this.clients = new ScorerClients(settings);
    this.serviceMetrics = ServiceMetrics.create(ScorerSettings.SERVICE);
    this.registry = serviceMetrics.registry();
    this.metrics = serviceMetrics.bind(new ScorerMetrics(model::get));
    this.health = new ScorerHealth(model::get, metrics::imagesScored);
    this.statsMetrics = settings.stats() == null ? null : serviceMetrics.bind(new StatsMetrics());
  }

  /**
   * Builds a scorer and starts it (for tests and the bench, which close it themselves).
   *
   * @throws UserException when the cluster cannot be reached or the topics cannot be set up
   */
  public static ScorerService start(ScorerSettings settings) {
    ScorerService service = new ScorerService(settings);
    service.start();
    return service;
  }

  /**
   * Opens the metrics, HTTP endpoint and topics, and starts the follower, scoring loop and
   * statistics threads; {@link #start()} closes what was opened when this fails.
   *
   * @throws UserException when the cluster cannot be reached or the topics cannot be set up
   */
  @Override
  protected void startComponents() {
    log.info(
        "Starting scorer {} on {} (Kafka config {})",
        settings.instanceId(),
        settings.inputTopic(),
        settings.kafka().redacted());
    resources.push("metrics", serviceMetrics);
    if (settings.httpPort() >= 0) {
      MetricsServer http =
          httpEndpoint(
              MetricsServer.start(
                  settings.httpHost(), settings.httpPort(), registry, health::health));
      http.route(
          "/ready",
          ex -> {
            Health h = health.readiness();
            MetricsServer.respond(
                ex, h.healthy() ? 200 : 503, "application/json", JSON.writeValueAsBytes(h));
          });
      http.routePng("/anomalies.png", gallery::png);
    }
    setUpTopics();

    KafkaConsumer<byte[], byte[]> checkpointConsumer =
        new KafkaConsumer<>(clients.checkpointConsumer());
    bind(new KafkaClientMetrics(checkpointConsumer));
    follower =
        new ModelFollower(
            checkpointConsumer,
            settings.checkpointTopic(),
            CheckpointCodec.withKey(settings.checkpointKey()),
            settings.threshold(),
            model,
            metrics,
            health,
            this::followerFailed);
    followerThread = new Thread(follower, "scorer-checkpoints");
    followerThread.start();
    resources.push("checkpoint follower", this::stopFollower);

    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(clients.inputConsumer());
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(clients.producer());
    bind(new KafkaClientMetrics(consumer));
    bind(new KafkaClientMetrics(producer));
    loop = new ScoringLoop(consumer, producer, settings, model, follower, metrics, health, gallery);
    loopThread = new Thread(loop, "scorer-loop");
    loopThread.start();
    resources.push("scoring loop", this::stopLoop);

    if (settings.stats() != null) {
      ScorerSettings.Stats s = settings.stats();
      health.stats("starting");
      StatsStream stats =
          new StatsStream(
              StatsTopology.buildTopology(
                  settings.statsPartialsTopic(),
                  settings.statsTopic(),
                  s.window(),
                  s.grace(),
                  statsMetrics),
              StatsTopology.streamsConfig(
                  s.applicationId(),
                  s.stateDir(),
                  clients.streamsClientProperties(),
                  s.overrides()),
              registry,
              health::stats);
      resources.push("statistics stream", stats);
    }
  }

  private void bind(KafkaClientMetrics binder) {
    binder.bindTo(registry);
    resources.push("client metrics", binder);
  }

  /**
   * Creates the output topics when missing, as the catalogue defines them, partitioned like the
   * input topic (or {@code --partitions}), and logs what was found.
   */
  private void setUpTopics() {
    try (TopicSetup setup = TopicSetup.open(clients.admin(), settings.connectTimeout())) {
      int partitions = settings.partitions();
      if (partitions == 0) {
        OptionalInt input = setup.partitions(settings.inputTopic());
        partitions = input.orElse(TopicCatalog.DEFAULT_INPUT_PARTITIONS);
        if (input.isEmpty()) {
          log.info(
              "Input topic {} does not exist yet; output topics get {} partitions (see"
                  + " --partitions)",
              settings.inputTopic(),
              partitions);
        }
      }
      short rf = settings.replicationFactor();
      TopicReport scores =
          setup.ensure(TopicCatalog.scores(partitions, rf).named(settings.scoresTopic())).log(log);
      setup.ensure(TopicCatalog.deadLetters(partitions, rf).named(settings.dlqTopic())).log(log);
      // The partial statistics are written by every scorer, with or without the statistics
      // stream in its process; they are the statistics' internal topic, created like the stream's
      // own (with its credentials) where it runs here, replicated like the scores they summarise
      // (an administrator who made anomaly.scores durable made them durable too).
      TopicDefinition partials =
          TopicCatalog.statsPartials(
              settings.statsPartialsTopic(), (short) scores.replicationFactor());
      if (settings.stats() == null) {
        setup.ensure(partials).log(log);
      } else {
        Map<String, Object> statsAdmin = clients.statsAdmin();
        if (statsAdmin.equals(clients.admin())) {
          setup.ensure(partials).log(log);
          setup.ensure(TopicCatalog.stats(rf).named(settings.statsTopic())).log(log);
        } else {
          // --stats-config logs the statistics in as another principal: it holds the ACLs on
          // their topics, the scorer's own principal none.
          try (TopicSetup statsSetup = TopicSetup.open(statsAdmin, settings.connectTimeout())) {
            statsSetup.ensure(partials).log(log);
            statsSetup.ensure(TopicCatalog.stats(rf).named(settings.statsTopic())).log(log);
          }
        }
      }
    }
  }

  private void followerFailed(Exception e) {
    fatalExitCode.compareAndSet(ExitCodes.OK, ExitCodes.FAILURE);
    health.failed("checkpoint follower: " + e.getMessage());
    stop();
  }

  /** Blocks until the scoring loop ends; returns the process exit code. */
  @Override
  public int awaitTermination() throws InterruptedException {
    loopThread.join();
    int fatal = fatalExitCode.get();
    return fatal != ExitCodes.OK ? fatal : loop.exitCode();
  }

  /** Asks the scoring loop to stop after its current batch; safe from any thread. */
  @Override
  public void stop() {
    if (loop != null) {
      loop.stop();
    }
  }

  private void stopLoop() throws InterruptedException {
    loop.stop();
    loopThread.join(JOIN_MS);
  }

  private void stopFollower() throws InterruptedException {
    follower.stop();
    followerThread.join(JOIN_MS);
  }

  /** The model in use, or null before the first. */
  public LoadedModel model() {
    return model.get();
  }

  @Override
  public ScorerHealth health() {
    return health;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public AnomalyGallery gallery() {
    return gallery;
  }

  /** The statistics gauges' source, or null with {@code --no-stats}. */
  public StatsMetrics statsMetrics() {
    return statsMetrics;
  }

  @Override
  protected void beforeClose() {
    health.state(ScorerHealth.State.STOPPING);
  }

  @Override
  protected void afterClose() {
    log.info("Scorer {} stopped", settings.instanceId());
  }
}
