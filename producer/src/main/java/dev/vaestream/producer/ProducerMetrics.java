package dev.vaestream.producer;

import dev.vaestream.core.data.AnomalyKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * The producer's own meters; the Kafka client's metrics are bound separately with Micrometer's
 * {@code KafkaClientMetrics}. Everything counts acknowledged records, so the numbers match what
 * consumers can read. Thread-safe: updated from the Kafka client's I/O thread.
 */
public final class ProducerMetrics {
  private final Counter images;
  private final Counter bytes;
  private final Counter sendErrors;
  private final Map<AnomalyKind, Counter> anomalies = new EnumMap<>(AnomalyKind.class);

  /**
   * @param kinds the anomaly kinds this run may inject; only these get a series
   */
  public ProducerMetrics(MeterRegistry registry, Set<AnomalyKind> kinds) {
    images =
        Counter.builder("vae.producer.images")
            .description("Images acknowledged by Kafka, anomalies included")
            .baseUnit("images")
            .register(registry);
    bytes =
        Counter.builder("vae.producer.bytes")
            .description("Serialized key and value bytes of acknowledged images")
            .baseUnit(BaseUnits.BYTES)
            .register(registry);
    sendErrors =
        Counter.builder("vae.producer.send.errors")
            .description("Images that could not be sent, after the client's retries")
            .baseUnit("errors")
            .register(registry);
    for (AnomalyKind kind : kinds) {
      anomalies.put(
          kind,
          Counter.builder("vae.producer.anomalies")
              .description("Injected anomalies acknowledged by Kafka")
              .baseUnit("anomalies")
              .tag("kind", kind.wireName())
              .register(registry));
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
