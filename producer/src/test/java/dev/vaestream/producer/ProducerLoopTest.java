package dev.vaestream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.metrics.ServiceMetrics;
import dev.vaestream.core.record.ImageRecord;
import dev.vaestream.core.record.ImageRecordCodec;
import dev.vaestream.testsupport.MeterConventions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntPredicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The run loop against Kafka's {@link MockProducer}: counting, errors, stopping, metrics. */
class ProducerLoopTest {
  private static final String TOPIC = "images";
  private static MnistDataset test;

  @BeforeAll
  static void loadData() {
    test = MnistDataset.bundled(MnistSplit.TEST);
  }

  /** Completes each send at once: successfully, or with {@code error} where {@code fails} says. */
  static final class ScriptedProducer extends MockProducer<byte[], byte[]> {
    private final IntPredicate fails;
    private final RuntimeException error;
    private int sends;

    ScriptedProducer(IntPredicate fails, RuntimeException error) {
      super(false, null, new ByteArraySerializer(), new ByteArraySerializer());
      this.fails = fails;
      this.error = error;
    }

    @Override
    public synchronized Future<RecordMetadata> send(
        ProducerRecord<byte[], byte[]> record, Callback callback) {
      Future<RecordMetadata> future = super.send(record, callback);
      if (fails.test(sends++)) {
        errorNext(error);
      } else {
        completeNext();
      }
      return future;
    }
  }

  private static ImageSource source(long limit, double anomalyRate) {
    return new ImageSource(
        test,
        new StreamPlan(
            1,
            false,
            false,
            1,
            OptionalLong.of(limit),
            anomalyRate,
            EnumSet.of(AnomalyKind.NOISE, AnomalyKind.FLIPPED)),
        System::currentTimeMillis);
  }

  private static ProducerLoop service(
      MockProducer<byte[], byte[]> producer,
      ImageSource source,
      ServiceMetrics metrics,
      ProducerHealth health,
      AtomicBoolean running) {
    return new ProducerLoop(
        TOPIC,
        producer,
        source,
        RatePacer.perSecond(0),
        metrics,
        health,
        running,
        Duration.ofSeconds(1));
  }

  @Test
  void sendsEveryImageOfTheSourceAsAnImageRecord() throws Exception {
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    ServiceMetrics metrics = ServiceMetrics.create("producer");
    PrometheusMeterRegistry registry = metrics.registry();
    ProducerHealth health = new ProducerHealth(TOPIC);

    RunResult result =
        service(producer, source(2000, 0.1), metrics, health, new AtomicBoolean(true)).run();

    assertThat(result.sent()).isEqualTo(2000);
    assertThat(result.errors()).isZero();
    assertThat(producer.closed()).isTrue();
    List<ProducerRecord<byte[], byte[]>> history = producer.history();
    assertThat(history).hasSize(2000);
    Set<String> ids = new HashSet<>();
    int anomalies = 0;
    for (ProducerRecord<byte[], byte[]> record : history) {
      assertThat(record.topic()).isEqualTo(TOPIC);
      ImageRecord image = ImageRecordCodec.decode(asConsumed(record));
      ids.add(image.id());
      assertThat(image.label()).isEqualTo(test.label(image.index()));
      if (image.anomaly() == null) {
        assertThat(image.pixels()).isEqualTo(test.image(image.index()));
        assertThat(record.headers().lastHeader(ImageRecordCodec.H_ANOMALY)).isNull();
      } else {
        anomalies++;
        assertThat(image.anomaly()).isIn(AnomalyKind.NOISE, AnomalyKind.FLIPPED);
      }
    }
    assertThat(ids).hasSize(2000);
    assertThat(registry.get("vae.producer.images").counter().count()).isEqualTo(2000);
    // MockProducer reports no serialized sizes; ProducerIT checks vae.producer.bytes for real.
    double noise = registry.get("vae.producer.anomalies").tag("kind", "noise").counter().count();
    double flipped =
        registry.get("vae.producer.anomalies").tag("kind", "flipped").counter().count();
    assertThat(noise + flipped).isEqualTo(anomalies).isPositive();
    assertThat(registry.find("vae.producer.anomalies").tag("kind", "patch").counter()).isNull();
    assertThat(health.health().healthy()).isTrue();
    assertThat(health.health().status()).isEqualTo("finished");
  }

  @Test
  void failedSendsAreCountedAndTheRunGoesOn() {
    ScriptedProducer producer =
        new ScriptedProducer(i -> i % 10 == 3, new TimeoutException("Expiring 1 record(s)"));
    ServiceMetrics metrics = ServiceMetrics.create("producer");
    PrometheusMeterRegistry registry = metrics.registry();
    ProducerHealth health = new ProducerHealth(TOPIC);

    RunResult result =
        service(producer, source(1000, 0), metrics, health, new AtomicBoolean(true)).run();

    assertThat(result.sent()).isEqualTo(900);
    assertThat(result.errors()).isEqualTo(100);
    assertThat(registry.get("vae.producer.send.errors").counter().count()).isEqualTo(100);
    assertThat(registry.get("vae.producer.images").counter().count()).isEqualTo(900);
    assertThat(health.health().details()).containsEntry("errors", 100L);
  }

  @Test
  void healthIsDownWhileSendsFail() {
    ScriptedProducer producer = new ScriptedProducer(i -> true, new RecordTooLargeException("big"));
    ProducerHealth health = new ProducerHealth(TOPIC);

    RunResult result =
        service(
                producer,
                source(50, 0),
                ServiceMetrics.create("producer"),
                health,
                new AtomicBoolean(true))
            .run();

    assertThat(result.errors()).isEqualTo(50);
    assertThat(health.health().healthy()).isFalse();
    assertThat(health.health().details().get("last_error").toString()).contains("big");
  }

  @Test
  void anAuthorizationErrorStopsTheRunWithAClearMessage() {
    ScriptedProducer producer =
        new ScriptedProducer(i -> i >= 5, new TopicAuthorizationException(Set.of(TOPIC)));
    ProducerHealth health = new ProducerHealth(TOPIC);

    assertThatThrownBy(
            () ->
                service(
                        producer,
                        source(1000, 0),
                        ServiceMetrics.create("producer"),
                        health,
                        new AtomicBoolean(true))
                    .run())
        .isInstanceOf(UserException.class)
        .hasMessageStartingWith("not authorized to write to topic images")
        .satisfies(e -> assertThat(((UserException) e).exitCode()).isEqualTo(ExitCodes.USAGE));
    assertThat(producer.history()).hasSize(6);
    assertThat(producer.closed()).isTrue();
    assertThat(health.health().healthy()).isFalse();
    assertThat(health.health().status()).isEqualTo("failed");
  }

  @Test
  void clearingTheRunningFlagStopsFlushesAndCloses() {
    AtomicBoolean running = new AtomicBoolean(true);
    ProducerHealth health = new ProducerHealth(TOPIC);
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer()) {
          @Override
          public synchronized Future<RecordMetadata> send(
              ProducerRecord<byte[], byte[]> record, Callback callback) {
            if (history().size() == 99) {
              running.set(false); // as the shutdown hook would
            }
            return super.send(record, callback);
          }
        };

    RunResult result =
        service(producer, source(10_000, 0), ServiceMetrics.create("producer"), health, running)
            .run();

    // Nothing was acknowledged before the flush: every send of the loop was flushed.
    assertThat(producer.flushed()).isTrue();
    assertThat(producer.closed()).isTrue();
    assertThat(result.sent()).isEqualTo(100);
    assertThat(health.state()).isEqualTo(ProducerHealth.State.STOPPED);
  }

  @Test
  void metadataFailureAtStartIsAUserError() {
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    producer.partitionsForException = new TimeoutException("Topic images not present in metadata");

    assertThatThrownBy(
            () ->
                service(
                        producer,
                        source(10, 0),
                        ServiceMetrics.create("producer"),
                        new ProducerHealth(TOPIC),
                        new AtomicBoolean(true))
                    .run())
        .isInstanceOf(UserException.class)
        .hasMessageContaining("cannot get metadata for topic images");
    assertThat(producer.closed()).isTrue();
  }

  @Test
  void metersFollowTheNamingRulesInPrometheus() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ProducerMetrics metrics = new ProducerMetrics(EnumSet.of(AnomalyKind.PATCH));
    metrics.bindTo(registry);
    metrics.acknowledged(800, AnomalyKind.PATCH);

    String scrape = registry.scrape();

    assertThat(scrape)
        .contains("# HELP vae_producer_images_total Images acknowledged by Kafka")
        .contains("vae_producer_images_total 1.0")
        .contains("vae_producer_bytes_total 800.0")
        .contains("vae_producer_send_errors_total 0.0")
        .contains("vae_producer_anomalies_total{kind=\"patch\"} 1.0");
    for (String name :
        List.of(
            "vae.producer.images",
            "vae.producer.bytes",
            "vae.producer.send.errors",
            "vae.producer.anomalies")) {
      Counter counter = registry.get(name).counter();
      assertThat(counter.getId().getDescription()).isNotBlank();
      assertThat(counter.getId().getBaseUnit()).isNotBlank();
    }
    assertThat(MeterConventions.violations(registry)).isEmpty();

    metrics.close();

    assertThat(MeterConventions.ourMeters(registry)).isEmpty();
  }

  private static ConsumerRecord<byte[], byte[]> asConsumed(ProducerRecord<byte[], byte[]> r) {
    return new ConsumerRecord<>(
        r.topic(),
        0,
        0L,
        0L,
        TimestampType.CREATE_TIME,
        r.key().length,
        r.value().length,
        r.key(),
        r.value(),
        r.headers(),
        java.util.Optional.empty());
  }
}
