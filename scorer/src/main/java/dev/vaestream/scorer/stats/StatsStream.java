package dev.vaestream.scorer.stats;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link StatsTopology} inside the scorer process with Micrometer's {@code
 * KafkaStreamsMetrics} bound. Statistics are secondary to scoring: if Streams fails, it shuts down
 * and reports {@code error} through {@code onState}, and scoring goes on.
 */
public final class StatsStream implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StatsStream.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final KafkaStreams streams;
  private final KafkaStreamsMetrics streamsMetrics;

  /**
   * Creates and starts the Streams client.
   *
   * @param onState told every state change, as a lower-case word ({@code running}, {@code error})
   */
  public StatsStream(
      Topology topology, Properties config, MeterRegistry registry, Consumer<String> onState) {
    streams = new KafkaStreams(topology, config);
    streams.setStateListener(
        (next, previous) -> {
          log.info("Statistics stream {} -> {}", previous, next);
          onState.accept(next.name().toLowerCase(Locale.ROOT));
        });
    streams.setUncaughtExceptionHandler(
        e -> {
          log.error("Statistics stream failed; scoring continues without it", e);
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    streams.start();
  }

  @Override
  public void close() {
    streamsMetrics.close();
    // Leave the group so another scorer instance takes the statistics task over at once.
    streams.close(
        CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
            .withTimeout(CLOSE_TIMEOUT));
  }
}
