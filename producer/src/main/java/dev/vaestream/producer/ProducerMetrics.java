package dev.vaestream.producer;

import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.metrics.OwnedMeterBinder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * The producer's own meters; the Kafka client's metrics are bound separately with Micrometer's
 * {@code KafkaClientMetrics}. Everything counts acknowledged records, so the numbers match what
 * consumers can read. A Micrometer binder: {@link #close()} removes its meters. Thread-safe:
 * updated from the Kafka client's I/O thread.
 */
public final class ProducerMetrics extends OwnedMeterBinder {
  private final Set<AnomalyKind> kinds;
  private final Map<AnomalyKind, Counter> anomalies = new EnumMap<>(AnomalyKind.class);
  private Counter images;
  private Counter bytes;
  private Counter sendErrors;

  /**
   * @param kinds the anomaly kinds this run may inject; only these get a series
   */
  public ProducerMetrics(Set<AnomalyKind> kinds) {
    this.kinds = Set.copyOf(kinds);
  }

  @Override
  protected void register(MeterRegistry registry) {
    images =
        own(
            Counter.builder("vae.producer.images")
                .description("Images acknowledged by Kafka, anomalies included")
                .baseUnit("images")
                .register(registry));
    bytes =
        own(
            Counter.builder("vae.producer.bytes")
                .description("Serialized key and value bytes of acknowledged images")
                .baseUnit(BaseUnits.BYTES)
                .register(registry));
    sendErrors =
        own(
            Counter.builder("vae.producer.send.errors")
                .description("Images that could not be sent, after the client's retries")
                .baseUnit("errors")
                .register(registry));
    for (AnomalyKind kind : kinds) {
      anomalies.put(
          kind,
          own(
              Counter.builder("vae.producer.anomalies")
                  .description("Injected anomalies acknowledged by Kafka")
                  .baseUnit("anomalies")
                  .tag("kind", kind.wireName())
                  .register(registry)));
    }
  }

  /** One image acknowledged; {@code anomaly} is null for a real digit. */
  public void acknowledged(long serializedBytes, AnomalyKind anomaly) {
    images.increment();
    bytes.increment(serializedBytes);
    if (anomaly != null) {
      Counter counter = anomalies.get(anomaly);
      if (counter != null) {
        counter.increment();
      }
    }
  }

  /** One image failed for good. */
  public void failed() {
    sendErrors.increment();
  }
}
