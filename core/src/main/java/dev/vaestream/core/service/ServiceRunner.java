package dev.vaestream.core.service;

import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.GracefulShutdown;
import dev.vaestream.core.cli.UserException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.IntConsumer;

/**
 * Runs one {@link Service} as a command's whole life: installs {@link GracefulShutdown} (SIGTERM
 * and Ctrl-C call {@link Service#stop()}), starts the service, waits for it, closes it, and returns
 * its exit code, which the shutdown hook also uses when a signal ended the run. Like Confluent's
 * microservices' {@code addShutdownHookAndBlock}, with the exit codes kept.
 */
public final class ServiceRunner {
  private final String name;
  private final Duration grace;
  private final PrintWriter err;
  private IntConsumer onTerminated = code -> {};

  /**
   * @param name names the shutdown hook thread and messages, e.g. {@code scorer}
   * @param grace how long a signal waits for the service to stop and close before exit code 1
   * @param err where an error is reported when a signal is ending the JVM (the command's stderr)
   */
  public ServiceRunner(String name, Duration grace, PrintWriter err) {
    this.name = name;
    this.grace = grace;
    this.err = err;
  }

  /**
   * Called with the exit code once the service has terminated and closed, before the code is handed
   * to the shutdown hook: the place to print a result line.
   */
  public ServiceRunner onTerminated(IntConsumer action) {
    this.onTerminated = action;
    return this;
  }

  /**
   * Starts {@code service}, waits for it, closes it; its exit code.
   *
   * @throws RuntimeException what the service threw (a {@link UserException} carries its code)
   */
  public int run(Service service) throws InterruptedException {
    try (GracefulShutdown shutdown =
        GracefulShutdown.install(name, service::stop, grace.toMillis())) {
      int code = ExitCodes.FAILURE;
      try {
        try (service) {
          service.start();
          if (!shutdown.running()) {
            service.stop(); // a signal came while it was starting
          }
          code = service.awaitTermination();
        }
        onTerminated.accept(code);
        return code;
      } catch (RuntimeException | InterruptedException e) {
        code = e instanceof UserException u ? u.exitCode() : ExitCodes.FAILURE;
        if (shutdown.signalled()) {
          // The shutdown hook ends the JVM as soon as we finish: report the error here.
          err.println(name + ": error: " + e.getMessage());
          err.flush();
        }
        throw e;
      } finally {
        shutdown.finished(code);
      }
    }
  }
}
