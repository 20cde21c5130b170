package dev.vaestream.core.service;

/**
 * Where a service serves {@code /metrics}, {@code /health} and its pages ({@code --http-host},
 * {@code --http-port}).
 *
 * @param host the interface to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
 * @param port the port; 0 picks a free one, -1 disables the endpoint
 */
public record HttpEndpoint(String host, int port) {
  public HttpEndpoint {
    if (port < -1 || port > 65535) {
      throw new IllegalArgumentException(
          "--http-port must be a port number, 0 (any) or -1 (off), got " + port);
    }
  }

  /** No endpoint (tests, benchmarks). */
  public static HttpEndpoint disabled() {
    return new HttpEndpoint("127.0.0.1", -1);
  }

  /** Whether the endpoint is served at all. */
  public boolean enabled() {
    return port >= 0;
  }
}
