package dev.vaestream.core.cli;

import picocli.CommandLine.Option;

/** Where a service serves {@code /metrics}, {@code /health} and its pages, as a picocli mixin. */
public final class HttpOptions {
  @Option(
      names = "--http-host",
      paramLabel = "ADDRESS",
      defaultValue = "${env:VAE_HTTP_HOST:-0.0.0.0}",
      description =
          "Interface for /metrics and /health (default ${DEFAULT-VALUE}: all interfaces;"
              + " use 127.0.0.1 to keep them local).")
  String host;

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      description = "Port for /metrics and /health; -1 disables them (default: the service's).")
  Integer port;

  public String host() {
    return host;
  }

  /** The chosen port, or {@code defaultPort} when the flag was not given. */
  public int port(int defaultPort) {
    return port == null ? defaultPort : port;
  }
}
