package dev.vaestream.trainer;

import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.kafka.TopicCatalog;
import dev.vaestream.core.kafka.TopicSetup;
import dev.vaestream.core.metrics.MetricsServer;
import dev.vaestream.core.metrics.ServiceMetrics;
import dev.vaestream.core.model.Nd4jRuntime;
import dev.vaestream.core.service.AbstractService;
import dev.vaestream.core.service.Service;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One trainer process, assembled: the metrics registry and HTTP endpoint ({@code /metrics}, {@code
 * /health}, {@code /reconstructions.png}), the topics it writes, and the {@link TrainingLoop} on
 * its own thread. A {@link Service}: {@link #start()} returns once the loop runs; {@link
 * #awaitTermination()} returns its exit code (or rethrows its failure, e.g. fenced: exit 3); {@link
 * #close()} stops everything in reverse order of creation.
 */
public final class TrainerService extends AbstractService {
  private static final Logger log = LoggerFactory.getLogger(TrainerService.class);

  /** How long closing waits for the loop's final checkpoint. */
  private static final long JOIN_MS = 60_000;

  private final TrainerSettings settings;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final ReconstructionsPage page = new ReconstructionsPage();
  private final TrainerHealth health;
  private volatile TrainerMetrics metrics;
  private volatile TrainingLoop loop;
  private Thread loopThread;
  private volatile int exitCode = ExitCodes.FAILURE;
  private volatile RuntimeException failure;

  /** Builds a trainer from its settings; nothing is opened before {@link #start()}. */
  public TrainerService(TrainerSettings settings) {
    this.settings = settings;
    this.health =
        new TrainerHealth(
            () -> loop == null ? 0 : loop.step(),
            () -> loop == null ? 0 : loop.lastPollMs(),
            () -> metrics == null ? 0 : metrics.checkpointAgeSeconds());
  }

  /**
   * Opens the metrics and HTTP endpoint, creates the topics, and starts the training loop.
   *
   * @throws UserException when the cluster cannot be reached or the topics cannot be set up
   */
  @Override
  protected void startComponents() {
    Map<String, Object> facts = Nd4jRuntime.facts();
    log.info(
        "Trainer starting: ND4J {} on {}, compute path {}, OMP threads {}; Kafka {}",
        facts.get("nd4j_backend"),
        facts.get("device"),
        facts.get("compute_path"),
        facts.get("omp_num_threads"),
        settings.kafka().redacted());
    ServiceMetrics serviceMetrics =
        resources.push("metrics", ServiceMetrics.create(TrainerSettings.SERVICE));
    metrics =
        serviceMetrics.bind(
            new TrainerMetrics(
                facts.get("nd4j_backend").toString(), facts.get("device").toString()));
    if (settings.httpPort() >= 0) {
      httpEndpoint(
              MetricsServer.start(
                  settings.httpHost(),
                  settings.httpPort(),
                  serviceMetrics.registry(),
                  health::health))
          .routePng("/reconstructions.png", page::png);
    }
    setUpTopics();
    loop =
        new TrainingLoop(
            settings, new TrainerClients(settings, serviceMetrics), metrics, page, health);
    loopThread = new Thread(this::runLoop, "trainer-loop");
    loopThread.start();
    resources.push("training loop", this::stopLoop);
  }

  /** Creates the topics the trainer writes, as the catalogue defines them, and logs the report. */
  private void setUpTopics() {
    Map<String, Object> adminProps = settings.kafka().forClient(AdminClientConfig.configNames());
    adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, TrainerSettings.clientId("admin"));
    try (TopicSetup setup = TopicSetup.open(adminProps, settings.connectTimeout())) {
      short rf = settings.replicationFactor();
      int inputPartitions =
          setup.partitions(settings.inputTopic()).orElse(TopicCatalog.DEFAULT_INPUT_PARTITIONS);
      setup.ensure(TopicCatalog.checkpoints(rf).named(settings.checkpointTopic())).log(log);
      setup
          .ensure(TopicCatalog.deadLetters(inputPartitions, rf).named(settings.dlqTopic()))
          .log(log);
      if (settings.drift().enabled()) {
        setup.ensure(TopicCatalog.events(rf).named(settings.eventsTopic())).log(log);
      }
    }
  }

  private void runLoop() {
    try {
      exitCode = loop.run(running);
    } catch (RuntimeException e) {
      failure = e;
      health.failed(e.getMessage());
    }
  }

  /** Blocks until the training loop ends; its exit code, or its failure rethrown. */
  @Override
  public int awaitTermination() throws InterruptedException {
    loopThread.join();
    RuntimeException e = failure;
    if (e != null) {
      throw e;
    }
    return exitCode;
  }

  /** Asks the loop to publish a final checkpoint and end; safe from any thread. */
  @Override
  public void stop() {
    running.set(false);
  }

  private void stopLoop() throws InterruptedException {
    stop();
    loopThread.join(JOIN_MS);
    if (loopThread.isAlive()) {
      log.warn("The training loop did not end within {} ms", JOIN_MS);
    }
  }

  @Override
  public TrainerHealth health() {
    return health;
  }

  @Override
  protected void beforeClose() {
    health.state(TrainerHealth.State.STOPPING);
  }

  @Override
  protected void afterClose() {
    health.state(TrainerHealth.State.STOPPED);
  }
}
