package dev.vaestream.producer;

import dev.vaestream.core.cli.ExitCodes;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns SIGTERM and Ctrl-C into a clean stop: a shutdown hook clears the run loop's {@code running}
 * flag, waits until the command has flushed, closed and printed its result, then ends the JVM with
 * the command's own exit code.
 *
 * <p>Why the hook ends the JVM itself: once a signal has started the JVM's shutdown, the exit
 * status is fixed at 128 + signal (143 for SIGTERM) and {@code System.exit} can no longer change
 * it. A clean stop on request is a success, so the hook halts with the command's code (0) after the
 * command has finished. Other shutdown hooks may not run in that case; the producer registers none.
 */
final class GracefulShutdown implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

  private final Thread hook;
  private final CountDownLatch finished = new CountDownLatch(1);
  private final AtomicBoolean signalled = new AtomicBoolean();
  private volatile int exitCode = ExitCodes.FAILURE;

  private GracefulShutdown(AtomicBoolean running, Duration grace) {
    this.hook = new Thread(() -> onShutdown(running, grace), "producer-shutdown");
  }

  /**
   * Installs the hook.
   *
   * @param running the run loop's flag, cleared on a signal
   * @param grace how long the command may take to flush and close before the JVM exits anyway
   */
  static GracefulShutdown install(AtomicBoolean running, Duration grace) {
    GracefulShutdown shutdown = new GracefulShutdown(running, grace);
    Runtime.getRuntime().addShutdownHook(shutdown.hook);
    return shutdown;
  }

  /** Whether a signal (or {@code System.exit} elsewhere) has started the JVM's shutdown. */
  boolean signalled() {
    return signalled.get();
  }

  /** The command is done and would exit with {@code code}; after a signal, the JVM exits now. */
  void finished(int code) {
    exitCode = code;
    finished.countDown();
  }

  /** Removes the hook if no signal came; the command then returns its code normally. */
  @Override
  public void close() {
    if (signalled.get()) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // Shutdown began just now: the hook is running and will end the JVM.
      log.debug("Shutdown already in progress: {}", e.toString());
    }
  }

  private void onShutdown(AtomicBoolean running, Duration grace) {
    signalled.set(true);
    log.info("Shutdown requested: stopping, flushing and closing the producer");
    running.set(false);
    int code;
    try {
      if (finished.await(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        code = exitCode;
      } else {
        log.error("Producer did not stop within {} s; exiting anyway", grace.toSeconds());
        code = ExitCodes.FAILURE;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      code = ExitCodes.FAILURE;
    }
    System.out.flush();
    System.err.flush();
    Runtime.getRuntime().halt(code);
  }
}
