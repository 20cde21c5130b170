package dev.vaestream.app;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A real Prometheus server on loopback, started from a binary for one test. */
final class LocalPrometheus implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Thread killOnExit;
  private final String baseUrl;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private LocalPrometheus(Process process, int port) {
    this.process = process;
    this.killOnExit = ExternalTools.killOnExit(process);
    this.baseUrl = "http://127.0.0.1:" + port;
  }

  /** Starts {@code binary} with {@code config}, data and log under {@code workDir}. */
  static LocalPrometheus start(Path binary, Path config, Path workDir, int port)
      throws IOException {
    Path data = workDir.resolve("prometheus-data");
    Files.createDirectories(data);
    Process p =
        new ProcessBuilder(
                binary.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + data,
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("prometheus.log").toFile())
            .start();
    p.getOutputStream().close();
    return new LocalPrometheus(p, port);
  }

  String baseUrl() {
    return baseUrl;
  }

  /** Waits until {@code /-/ready} answers 200. */
  void awaitReady(Duration timeout) {
    await("prometheus ready")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(250))
        .failFast("prometheus exited", () -> !process.isAlive())
        .ignoreException(IOException.class) // not listening yet
        .until(
            () ->
                http.send(
                            HttpRequest.newBuilder(URI.create(baseUrl + "/-/ready"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                            HttpResponse.BodyHandlers.ofString())
                        .statusCode()
                    == 200);
  }

  /** One series of an instant-query result: its labels and value as Prometheus prints them. */
  record Sample(JsonNode labels, String value) {
    boolean isNaN() {
      return value.equalsIgnoreCase("NaN");
    }

    double asDouble() {
      return Double.parseDouble(value);
    }
  }

  /** Evaluates {@code promql} now ({@code /api/v1/query}); a scalar is one sample. */
  List<Sample> query(String promql) throws IOException, InterruptedException {
    URI uri =
        URI.create(
            baseUrl + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(r.body());
    if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
      throw new IllegalArgumentException(
          "query failed (" + r.statusCode() + "): " + promql + " -> " + r.body());
    }
    JsonNode data = body.path("data");
    List<Sample> out = new ArrayList<>();
    switch (data.path("resultType").asText()) {
      case "vector" -> {
        for (JsonNode s : data.path("result")) {
          out.add(new Sample(s.path("metric"), s.path("value").path(1).asText()));
        }
      }
      case "scalar" ->
          out.add(new Sample(JSON.createObjectNode(), data.path("result").path(1).asText()));
      default ->
          throw new IllegalArgumentException(
              "unexpected result type " + data.path("resultType") + " for " + promql);
    }
    return out;
  }

  @Override
  public void close() throws InterruptedException {
    ExternalTools.stop(process, 20);
    ExternalTools.forget(killOnExit);
  }
}
