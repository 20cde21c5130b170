package dev.vaestream.core.service;

import dev.vaestream.core.metrics.MetricsServer;

/**
 * The part of a {@link Service} that is the same in every service: the {@link Resources} stack,
 * {@link #start()} that closes what it opened when it fails, the HTTP endpoint's port, and an
 * idempotent {@link #close()}. A service implements {@link #startComponents()}, pushing each thing
 * it opens on {@link #resources}, and the rest of {@link Service}.
 */
public abstract class AbstractService implements Service {
  /** What the service has opened, closed newest first by {@link #close()}. */
  protected final Resources resources = new Resources();

  private volatile MetricsServer http;
  private boolean closed;

  /**
   * Runs {@link #startComponents()}; when it fails, closes what it opened and rethrows.
   *
   * @throws RuntimeException the failure of {@link #startComponents()} (a {@code UserException}
   *     carries the exit code)
   */
  @Override
  public final void start() {
    try {
      startComponents();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Opens the service's resources in order, pushing each on {@link #resources}, and its threads.
   */
  protected abstract void startComponents();

  /** Keeps {@code server} as the service's HTTP endpoint, closed with the resources; returns it. */
  protected final MetricsServer httpEndpoint(MetricsServer server) {
    http = resources.push("HTTP endpoint", server);
    return server;
  }

  /** The HTTP port in use, or -1 when the endpoint is disabled (or not started yet). */
  public int httpPort() {
    MetricsServer server = http;
    return server == null ? -1 : server.port();
  }

  /**
   * Calls {@link #beforeClose()}, closes the resources newest first, then {@link #afterClose()}.
   */
  @Override
  public final synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    beforeClose();
    resources.close();
    afterClose();
  }

  /** Runs once, before the resources close (e.g. to report a stopping state); does nothing here. */
  protected void beforeClose() {}

  /** Runs once, after the resources closed (e.g. to log the stop); does nothing here. */
  protected void afterClose() {}
}
