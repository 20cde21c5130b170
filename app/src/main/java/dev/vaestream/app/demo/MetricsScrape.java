package dev.vaestream.app.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a service's {@code /metrics} page for the demo's status line: each sample by its full
 * series name ({@code name{tags}}), and each metric name with its samples summed. Missing services
 * or metrics read as NaN.
 */
final class MetricsScrape {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  private MetricsScrape() {}

  static Map<String, Double> scrape(String host, int port) {
    Map<String, Double> out = new HashMap<>();
    try {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/metrics"))
              .timeout(Duration.ofSeconds(1))
              .build();
      String body = HTTP.send(req, HttpResponse.BodyHandlers.ofString()).body();
      for (String line : body.split("\n")) {
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        int brace = line.indexOf('{');
        int space = line.lastIndexOf(' ');
        if (space < 0) {
          continue;
        }
        String name =
            brace > 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
        try {
          double v = Double.parseDouble(line.substring(space + 1));
          out.merge(name.trim(), v, Double::sum);
          out.put(line.substring(0, space).trim(), v);
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

  static double get(Map<String, Double> m, String name) {
    return m.getOrDefault(name, Double.NaN);
  }
}
