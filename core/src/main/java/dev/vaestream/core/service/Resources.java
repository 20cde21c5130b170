package dev.vaestream.core.service;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a service has opened, closed in reverse order: the last thing opened (a thread that uses a
 * client) is the first closed, the first (the metrics registry) the last. A failure to close one
 * resource is logged and does not keep the others open.
 */
public final class Resources implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Resources.class);

  private record Named(String name, AutoCloseable resource) {}

  private final Deque<Named> stack = new ArrayDeque<>();
  private boolean closed;

  /**
   * Registers {@code resource} to be closed before everything registered earlier; returns it.
   *
   * @throws IllegalStateException after {@link #close()}: the caller must close it itself
   */
  public synchronized <T extends AutoCloseable> T push(String name, T resource) {
    if (closed) {
      throw new IllegalStateException("resources already closed; cannot keep " + name);
    }
    stack.push(new Named(name, resource));
    return resource;
  }

  /** How many resources are open. */
  public synchronized int size() {
    return stack.size();
  }

  /** Closes every resource, newest first; idempotent. Keeps the thread's interrupt status. */
  @Override
  public synchronized void close() {
    closed = true;
    boolean interrupted = false;
    while (!stack.isEmpty()) {
      Named r = stack.pop();
      try {
        r.resource().close();
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (Exception e) {
        log.warn("Error while closing {}: {}", r.name(), e.toString());
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
