package dev.vaestream.core.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The small HTTP endpoint every service exposes: {@code /metrics} (Prometheus text), {@code
 * /health} (JSON, 200 when healthy, 503 otherwise) and any extra pages a service adds, such as PNG
 * views. Built on the JDK's HTTP server so services carry no web framework.
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor;

  private MetricsServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts serving on {@code host:port} (port 0 picks a free one).
   *
   * @param health current health; {@link Health#healthy()} decides the status code
   */
  public static MetricsServer start(
      String host, int port, PrometheusMeterRegistry registry, Supplier<Health> health) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind metrics endpoint to " + host + ":" + port, e);
    }
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "metrics-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    MetricsServer metrics = new MetricsServer(server, executor);
    metrics.route(
        "/metrics",
        ex ->
            respond(
                ex,
                200,
                "text/plain; version=0.0.4; charset=utf-8",
                registry.scrape().getBytes(StandardCharsets.UTF_8)));
    metrics.route(
        "/health",
        ex -> {
          Health h = health.get();
          respond(ex, h.healthy() ? 200 : 503, "application/json", JSON.writeValueAsBytes(h));
        });
    server.start();
    log.info("Serving /metrics and /health on http://{}:{}", host, metrics.port());
    return metrics;
  }

  /** Adds a page at {@code path}. */
  public void route(String path, HttpHandler handler) {
    server.createContext(
        path,
        ex -> {
          try {
            handler.handle(ex);
          } catch (IOException | RuntimeException e) {
            log.warn("Error serving {}: {}", path, e.toString());
            respond(ex, 500, "text/plain", ("error: " + e.getMessage()).getBytes());
          } finally {
            ex.close();
          }
        });
  }

  /** Adds a page that serves {@code png} bytes, or 404 while none is available. */
  public void routePng(String path, Supplier<byte[]> png) {
    route(
        path,
        ex -> {
          byte[] body = png.get();
          if (body == null) {
            respond(ex, 404, "text/plain", "not available yet".getBytes(StandardCharsets.UTF_8));
          } else {
            respond(ex, 200, "image/png", body);
          }
        });
  }

  /** Writes a complete response. */
  public static void respond(HttpExchange ex, int status, String contentType, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The bound address: the interface chosen with {@code --http-host}, and the port. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
