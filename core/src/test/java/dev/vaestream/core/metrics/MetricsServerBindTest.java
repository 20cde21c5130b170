package dev.vaestream.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vaestream.core.cli.HttpOptions;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code --http-host}: the endpoint binds to the chosen interface only, and the default (all
 * interfaces) is what the help and the README say. Requests go to loopback only.
 */
class MetricsServerBindTest {
  private final ServiceMetrics metrics = ServiceMetrics.create("bind-test");
  private final PrometheusMeterRegistry registry = metrics.registry();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void closeRegistry() {
    metrics.close();
  }

  @Command(name = "svc")
  static final class Service {
    @Mixin HttpOptions http = new HttpOptions();
  }

  private static HttpOptions parse(String... args) {
    Service s = new Service();
    new CommandLine(s).parseArgs(args);
    return s.http;
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void loopbackBindServesHealthOnLoopbackOnly() throws Exception {
    String host = parse("--http-host", "127.0.0.1").host();
    try (MetricsServer server =
        MetricsServer.start(host, 0, registry, () -> Health.up("ok", Map.of()))) {
      InetAddress bound = server.address().getAddress();
      assertThat(bound.isLoopbackAddress()).isTrue();
      assertThat(bound.isAnyLocalAddress()).isFalse();
      assertThat(bound).isEqualTo(InetAddress.getByName("127.0.0.1"));

      HttpResponse<String> health = get(server.port(), "/health");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).contains("\"status\":\"ok\"");
      assertThat(get(server.port(), "/metrics").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void defaultIsEveryInterface() throws Exception {
    // The default comes from VAE_HTTP_HOST when set; only the built-in default is checked here.
    assumeTrue(System.getenv("VAE_HTTP_HOST") == null, "VAE_HTTP_HOST is set");
    String host = parse().host();
    assertThat(host).isEqualTo("0.0.0.0");
    try (MetricsServer server =
        MetricsServer.start(host, 0, registry, () -> Health.down("starting", Map.of()))) {
      InetAddress bound = server.address().getAddress();
      // The wildcard; on a dual-stack JVM it is reported as :: and takes IPv4 and IPv6 alike.
      assertThat(bound.isAnyLocalAddress()).isTrue();
      // Loopback is one of every interface.
      assertThat(get(server.port(), "/health").statusCode()).isEqualTo(503);
    }
  }

  @Test
  void helpDocumentsTheDefault() {
    assumeTrue(System.getenv("VAE_HTTP_HOST") == null, "VAE_HTTP_HOST is set");
    String usage = new CommandLine(new Service()).getUsageMessage().replaceAll("\\s+", " ");
    assertThat(usage).contains("--http-host").contains("default 0.0.0.0").contains("127.0.0.1");
  }
}
