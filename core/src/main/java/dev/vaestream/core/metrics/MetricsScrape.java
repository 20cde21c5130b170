package dev.vaestream.core.metrics;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a service's {@code /metrics} page (Prometheus text), for the demo's status line and the
 * benchmarks: each labelled sample by its full series name ({@code name{tags}}), and each metric
 * name with its samples summed. An unreachable service or a non-200 answer gives an empty map.
 */
public final class MetricsScrape {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  private MetricsScrape() {}

  /** The samples of {@code http://host:port/metrics}. */
  public static Map<String, Double> scrape(String host, int port, Duration timeout) {
    Map<String, Double> out = new HashMap<>();
    try {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/metrics"))
              .timeout(timeout)
              .build();
      HttpResponse<String> resp = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() != 200) {
        return out;
      }
      for (String line : resp.body().split("\n")) {
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        int space = line.lastIndexOf(' ');
        int brace = line.indexOf('{');
        if (space < 0) {
          continue;
        }
        boolean labelled = brace > 0 && brace < space;
        String name = labelled ? line.substring(0, brace) : line.substring(0, space);
        try {
          double value = Double.parseDouble(line.substring(space + 1));
          out.merge(name.trim(), value, Double::sum);
          if (labelled) {
            out.put(line.substring(0, space).trim(), value);
          }
        } catch (NumberFormatException e) {
          // not a sample line
        }
      }
    } catch (IOException e) {
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  /**
   * Used heap in bytes from a {@link #scrape} of a service that binds Micrometer's JVM memory
   * metrics: the sum of {@code jvm_memory_used_bytes} over the heap pools; 0 when absent.
   */
  public static double heapUsedBytes(Map<String, Double> samples) {
    return samples.entrySet().stream()
        .filter(e -> e.getKey().startsWith("jvm_memory_used_bytes{"))
        .filter(e -> e.getKey().contains("area=\"heap\""))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }
}
