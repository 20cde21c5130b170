package dev.vaestream.core.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns SIGTERM and Ctrl-C into a clean stop with exit code 0: a named shutdown hook asks the
 * service to stop, waits for it to finish its work (flush, final checkpoint, close), then ends the
 * JVM with the service's own exit code. Without this the JVM would report 143 after SIGTERM.
 *
 * <p>When the service ends by itself (a bounded run), {@link #finished(int)} is called first and
 * the hook does nothing.
 */
public final class GracefulShutdown {
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final CountDownLatch done = new CountDownLatch(1);
  private final AtomicInteger exitCode = new AtomicInteger(ExitCodes.OK);
  private final long graceMillis;

  private GracefulShutdown(long graceMillis) {
    this.graceMillis = graceMillis;
  }

  /**
   * Installs the hook.
   *
   * @param service names the hook thread ({@code <service>-shutdown})
   * @param onStop called once when a signal arrives, e.g. to wake up a blocked consumer
   * @param graceMillis how long to wait for the service before ending anyway
   */
  public static GracefulShutdown install(String service, Runnable onStop, long graceMillis) {
    GracefulShutdown s = new GracefulShutdown(graceMillis);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (s.done.getCount() == 0) {
                    return;
                  }
                  s.running.set(false);
                  onStop.run();
                  try {
                    s.done.await(s.graceMillis, TimeUnit.MILLISECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  Runtime.getRuntime().halt(s.exitCode.get());
                },
                service + "-shutdown"));
    return s;
  }

  /** False once a stop was requested. */
  public boolean running() {
    return running.get();
  }

  /** The flag itself, for loops that take an {@code AtomicBoolean}. */
  public AtomicBoolean flag() {
    return running;
  }

  /** Records that the service has finished with {@code code}; returns it. */
  public int finished(int code) {
    exitCode.set(code);
    done.countDown();
    return code;
  }
}
