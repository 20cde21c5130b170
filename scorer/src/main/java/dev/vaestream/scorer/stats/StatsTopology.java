package dev.vaestream.scorer.stats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.Stores;

/**
 * The Kafka Streams topology behind {@code anomaly.stats}: tumbling windows (one minute by default)
 * over the scores' {@code scored_at}, one {@link WindowStats} aggregate per window across all
 * scorers, emitted once when the window has closed, as one JSON record keyed by the window start
 * (ISO-8601).
 *
 * <p>Its input is not the score records but the scorers' partial statistics ({@link
 * PartialStatistics}): each scorer transaction writes, with its scores, one partial per window it
 * scored in, keyed {@value PartialStatistics#KEY} and stamped with the window's latest {@code
 * scored_at}. This topology merges them per window, suppresses until the window closes (its end
 * plus the grace period, in the partials' stream time), then calls {@code onClosedWindow} (metrics)
 * and writes the JSON. A window is therefore published once a partial at least the grace period
 * past its end arrives; partials that arrive later than that are dropped, as late records.
 */
public final class StatsTopology {
  /** Version of the stats value format; fields are only added. */
  public static final int SCHEMA_VERSION = 1;

  static final String STORE = "window-stats";
  private static final JsonFactory JSON = new JsonFactory();

  private StatsTopology() {}

  /**
   * A window that closed and its statistics.
   *
   * @param start window start, epoch ms (inclusive)
   * @param end window end, epoch ms (exclusive)
   * @param stats the aggregate
   */
  public record ClosedWindow(long start, long end, WindowStats stats) {}

  /**
   * Builds the topology.
   *
   * @param partialsTopic the scorers' partial statistics to merge ({@link PartialStatistics})
   * @param statsTopic where the closed windows go
   * @param window tumbling window size
   * @param grace how long after its end a window still accepts late partials
   * @param onClosedWindow called once per closed window, before it is written (e.g. metrics)
   */
  public static Topology buildTopology(
      String partialsTopic,
      String statsTopic,
      Duration window,
      Duration grace,
      Consumer<ClosedWindow> onClosedWindow) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(
            partialsTopic,
            Consumed.with(Serdes.String(), WindowStats.SERDE).withName("score-partials"))
        // One key, already in one partition: grouping needs no repartition topic.
        .groupByKey(Grouped.with("partials", Serdes.String(), WindowStats.SERDE))
        .windowedBy(TimeWindows.ofSizeAndGrace(window, grace))
        .aggregate(
            WindowStats::new,
            (key, partial, stats) -> stats.merge(partial),
            Named.as("merge"),
            Materialized.<String, WindowStats>as(
                    Stores.inMemoryWindowStore(
                        STORE, window.plus(grace).multipliedBy(2), window, false))
                .withKeySerde(Serdes.String())
                .withValueSerde(WindowStats.SERDE))
        // One key, so at most a few windows wait here: the bound is never reached.
        .suppress(
            Suppressed.untilWindowCloses(
                    Suppressed.BufferConfig.maxRecords(1_000).shutDownWhenFull())
                .withName("until-window-closes"))
        .toStream(Named.as("closed-windows"))
        .map(
            (windowed, stats) -> {
              ClosedWindow closed =
                  new ClosedWindow(windowed.window().start(), windowed.window().end(), stats);
              onClosedWindow.accept(closed);
              return KeyValue.pair(Instant.ofEpochMilli(closed.start()).toString(), toJson(closed));
            },
            Named.as("to-json"))
        .to(statsTopic, Produced.with(Serdes.String(), Serdes.ByteArray()).withName("stats"));
    return builder.build();
  }

  /**
   * The Streams configuration: defaults, then {@code clientProperties} (bootstrap servers,
   * security), then {@code overrides} ({@code --stats-config}).
   */
  public static Properties streamsConfig(
      String applicationId,
      Path stateDir,
      Map<String, Object> clientProperties,
      Map<String, String> overrides) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    // Statistics must not double-count after a crash, like the scores they summarise.
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    // The scorer needs the cores; one thread handles the single aggregation task easily.
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    // Windows last a minute: committing every second (not EOS's 100 ms) costs far fewer
    // transactions, and the store cache absorbs a second of updates per changelog write.
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 1024 * 1024);
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueExceptionHandler.class.getName());
    p.putAll(clientProperties);
    p.putAll(overrides);
    return p;
  }

  /** The JSON value of a closed window; NaN ratios are written as null. */
  public static byte[] toJson(ClosedWindow w) {
    WindowStats s = w.stats();
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("schema_version", SCHEMA_VERSION);
      g.writeNumberField("window_start", w.start());
      g.writeNumberField("window_end", w.end());
      g.writeNumberField("count", s.count());
      g.writeNumberField("anomalies", s.flagged());
      number(g, "anomaly_rate", s.anomalyRate());
      // Flags by a model still adapting to a detected drift, apart from those by a settled one.
      g.writeObjectFieldStart("adapting");
      g.writeNumberField("count", s.adaptingCount());
      g.writeNumberField("anomalies", s.adaptingFlagged());
      number(g, "anomaly_rate", s.adaptingAnomalyRate());
      g.writeEndObject();
      g.writeObjectFieldStart("settled");
      g.writeNumberField("count", s.settledCount());
      g.writeNumberField("anomalies", s.settledFlagged());
      number(g, "anomaly_rate", s.settledAnomalyRate());
      g.writeEndObject();
      g.writeObjectFieldStart("score");
      number(g, "mean", s.mean());
      number(g, "min", s.min());
      number(g, "max", s.max());
      number(g, "p50", s.quantile(0.5));
      number(g, "p90", s.quantile(0.9));
      number(g, "p99", s.quantile(0.99));
      g.writeEndObject();
      if (s.hasGroundTruth()) {
        g.writeObjectFieldStart("ground_truth");
        g.writeNumberField("positives", s.positives());
        g.writeNumberField("negatives", s.negatives());
        g.writeNumberField("true_positives", s.truePositives());
        g.writeNumberField("false_positives", s.falsePositives());
        g.writeNumberField("false_positives_adapting", s.adaptingFalsePositives());
        number(g, "precision", s.precision());
        number(g, "recall", s.recall());
        number(g, "false_positive_rate", s.falsePositiveRate());
        number(g, "auroc", s.auroc());
        g.writeObjectFieldStart("kinds");
        for (Map.Entry<String, long[]> k : s.kinds().entrySet()) {
          g.writeObjectFieldStart(k.getKey());
          g.writeNumberField("count", k.getValue()[0]);
          g.writeNumberField("flagged", k.getValue()[1]);
          number(g, "recall", s.recall(k.getKey()));
          number(g, "precision", s.precision(k.getKey()));
          g.writeEndObject();
        }
        g.writeEndObject();
        g.writeEndObject();
      } else {
        g.writeNullField("ground_truth");
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void number(JsonGenerator g, String field, double value) throws IOException {
    if (Double.isFinite(value)) {
      g.writeNumberField(field, value);
    } else {
      g.writeNullField(field);
    }
  }
}
