package dev.vaestream.producer;

import dev.vaestream.core.cli.Causes;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.data.IdxFormatException;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.kafka.TopicSetup;
import dev.vaestream.core.metrics.MetricsServer;
import dev.vaestream.core.metrics.ServiceMetrics;
import dev.vaestream.core.scenario.Scenario;
import dev.vaestream.core.service.AbstractService;
import dev.vaestream.core.service.Service;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One producer process, assembled: the metrics registry and HTTP endpoint, the output topic, the
 * Kafka producer and the {@link ProducerLoop} on its own thread. A {@link Service}: {@link
 * #start()} returns once the loop runs; {@link #awaitTermination()} returns 0 when every image was
 * acknowledged (1 otherwise) and {@link #result()} then holds the counts; {@link #close()} closes
 * everything in reverse order.
 */
public final class ProducerService extends AbstractService {
  private static final Logger log = LoggerFactory.getLogger(ProducerService.class);

  /** How long closing the Kafka producer may wait for in-flight sends. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final ProducerSettings settings;
  private final MnistDataset data;
  private final ProducerHealth health;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private Thread loopThread;
  private volatile RunResult result;
  private volatile RuntimeException failure;
  private final Scenario scenario;

  /** Builds a producer of {@code data}; nothing is opened before {@link #start()}. */
  public ProducerService(ProducerSettings settings, MnistDataset data) {
    this(settings, data, null);
  }

  /**
   * @param scenario a drift scenario to stream instead of the plan's passes, or null
   */
  public ProducerService(ProducerSettings settings, MnistDataset data, Scenario scenario) {
    this.scenario = scenario;
    this.settings = settings;
    this.data = data;
    this.health = new ProducerHealth(settings.topic());
  }

  /**
   * Loads the data the settings name: the bundled MNIST or {@code --mnist-dir}.
   *
   * @throws UserException (exit 2) naming a bad {@code --mnist-dir}, before any connection
   */
  public static MnistDataset loadData(ProducerSettings settings) {
    if (settings.mnistDir() == null) {
      return MnistDataset.bundled(settings.split());
    }
    try {
      MnistDataset data = MnistDataset.load(settings.mnistDir(), settings.split());
      log.info(
          "Loaded {} {} images from {}",
          data.size(),
          settings.split().wireName(),
          settings.mnistDir());
      return data;
    } catch (IdxFormatException e) {
      throw new UserException("bad --mnist-dir: " + e.getMessage());
    }
  }

  @Override
  protected void startComponents() {
    ServiceMetrics serviceMetrics =
        resources.push("metrics", ServiceMetrics.create(ProducerSettings.SERVICE));
    if (settings.httpPort() >= 0) {
      httpEndpoint(startMetricsServer(serviceMetrics));
    }
    try (TopicSetup setup =
        TopicSetup.open(settings.adminProperties(), settings.connectTimeout())) {
      setup.checkConnection();
      setup.ensure(settings.topicDefinition()).log(log);
    }
    ImageSource source =
        new ImageSource(data, settings.plan(), scenario, System::currentTimeMillis);
    // The loop closes the producer when it ends; closing twice is harmless and covers a failure
    // in between.
    ProducerLoop loop =
        resources.push(
            "producer loop",
            new ProducerLoop(
                settings.topic(),
                newKafkaProducer(),
                source,
                RatePacer.perSecond(settings.rate()),
                serviceMetrics,
                health,
                running,
                CLOSE_TIMEOUT));
    log.info(
        "Producing {} {} images of {} to {}{}{}{}",
        source.total().isPresent() ? source.total().getAsLong() : "an endless loop of",
        settings.split().wireName(),
        settings.mnistDir() == null ? "the bundled MNIST" : settings.mnistDir(),
        settings.topic(),
        settings.plan().shuffle() ? ", shuffled (seed " + settings.plan().seed() + ")" : "",
        settings.rate() > 0 ? ", " + settings.rate() + " images/s" : ", as fast as possible",
        settings.plan().anomalyRate() > 0
            ? ", anomaly rate " + settings.plan().anomalyRate() + " " + kindNames()
            : "");
    loopThread = new Thread(() -> runLoop(loop), "producer-loop");
    loopThread.start();
    resources.push("producer loop thread", this::stopLoop);
  }

  private MetricsServer startMetricsServer(ServiceMetrics serviceMetrics) {
    try {
      return MetricsServer.start(
          settings.httpHost(), settings.httpPort(), serviceMetrics.registry(), health::health);
    } catch (UncheckedIOException e) {
      throw new UserException(
          e.getMessage() + ": " + e.getCause().getMessage() + " (choose another --http-port)");
    }
  }

  private KafkaProducer<byte[], byte[]> newKafkaProducer() {
    try {
      return new KafkaProducer<>(settings.producerProperties());
    } catch (KafkaException e) {
      Throwable root = Causes.root(e);
      throw new UserException(
          "invalid Kafka producer configuration: "
              + (root == e ? e.getMessage() : e.getMessage() + ": " + root.getMessage()));
    }
  }

  private void runLoop(ProducerLoop loop) {
    try {
      result = loop.run();
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  /** Blocks until the loop ends: 0 when every image sent was acknowledged, else 1. */
  @Override
  public int awaitTermination() throws InterruptedException {
    loopThread.join();
    RuntimeException e = failure;
    if (e != null) {
      throw e;
    }
    return result.errors() == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
  }

  /** The counts of a terminated run, or null before. */
  public RunResult result() {
    return result;
  }

  /** Asks the loop to stop; it then flushes and closes the producer. Safe from any thread. */
  @Override
  public void stop() {
    running.set(false);
  }

  private void stopLoop() throws InterruptedException {
    stop();
    loopThread.join(CLOSE_TIMEOUT.toMillis() + settings.connectTimeout().toMillis());
  }

  @Override
  public ProducerHealth health() {
    return health;
  }

  private String kindNames() {
    StringBuilder sb = new StringBuilder("(");
    for (AnomalyKind kind : settings.plan().anomalyKinds()) {
      sb.append(sb.length() > 1 ? "," : "").append(kind.wireName());
    }
    return sb.append(')').toString();
  }
}
