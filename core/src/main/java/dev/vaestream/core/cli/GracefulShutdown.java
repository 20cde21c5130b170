package dev.vaestream.core.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns SIGTERM and Ctrl-C into a clean stop with the service's own exit code (0 for a clean stop).
 * A named shutdown hook clears the running flag, calls {@code onSignal} (e.g. to wake up a blocked
 * consumer), waits for the service to finish its work (flush, final checkpoint, close), then ends
 * the JVM with the code passed to {@link #finished(int)}.
 *
 * <p>Why the hook ends the JVM itself: once a signal has started the JVM's shutdown, the exit
 * status is fixed at 128 + signal (143 for SIGTERM) and {@code System.exit} can no longer change
 * it. Other shutdown hooks may not run in that case; services register none. When the service ends
 * by itself (a bounded run), {@link #close()} removes the hook and {@code main} exits normally.
 */
public final class GracefulShutdown implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicBoolean signalled = new AtomicBoolean();
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile int exitCode = ExitCodes.FAILURE;
  private final Thread hook;

  private GracefulShutdown(String service, Runnable onSignal, long graceMillis) {
    this.hook = new Thread(() -> onShutdown(service, onSignal, graceMillis), service + "-shutdown");
  }

  /**
   * Installs the hook.
   *
   * @param service names the hook thread ({@code <service>-shutdown}) and the log line
   * @param onSignal called once when a signal arrives, after the running flag is cleared
   * @param graceMillis how long to wait for the service before ending anyway (with code 1)
   */
  public static GracefulShutdown install(String service, Runnable onSignal, long graceMillis) {
    GracefulShutdown s = new GracefulShutdown(service, onSignal, graceMillis);
    Runtime.getRuntime().addShutdownHook(s.hook);
    return s;
  }

  /** False once a stop was requested. */
  public boolean running() {
    return running.get();
  }

  /** The running flag itself, for loops that take an {@code AtomicBoolean}. */
  public AtomicBoolean flag() {
    return running;
  }

  /** Whether a signal (or {@code System.exit} elsewhere) has started the JVM's shutdown. */
  public boolean signalled() {
    return signalled.get();
  }

  /** Records that the service has finished with {@code code}; returns it. */
  public int finished(int code) {
    exitCode = code;
    done.countDown();
    return code;
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

  private void onShutdown(String service, Runnable onSignal, long graceMillis) {
    if (done.getCount() == 0) {
      return; // the service had already finished: a normal exit
    }
    signalled.set(true);
    log.info("Shutdown requested: stopping the {}", service);
    running.set(false);
    int code;
    try {
      onSignal.run();
      if (done.await(graceMillis, TimeUnit.MILLISECONDS)) {
        code = exitCode;
      } else {
        log.error("The {} did not stop within {} ms; exiting anyway", service, graceMillis);
        code = ExitCodes.FAILURE;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      code = ExitCodes.FAILURE;
    } catch (RuntimeException e) {
      log.error("Stopping the {} failed: {}", service, e.toString());
      code = ExitCodes.FAILURE;
    }
    System.out.flush();
    System.err.flush();
    Runtime.getRuntime().halt(code);
  }
}
