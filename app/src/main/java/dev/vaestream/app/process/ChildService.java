package dev.vaestream.app.process;

import dev.vaestream.core.process.ChildJvm;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipeline service run as its own JVM, exactly as a user would run it ({@code vae-stream
 * <service> ...}), with its output appended to a log file. Separate processes keep each service's
 * ND4J threads and heap its own, and let the demo and the chaos campaign stop them with SIGTERM, or
 * kill them with SIGKILL, like any supervisor.
 */
public final class ChildService {
  private static final Logger log = LoggerFactory.getLogger(ChildService.class);
  private static final String MAIN = "dev.vaestream.app.VaeStream";

  private final String name;
  private final Process process;
  private final Path logFile;

  private ChildService(String name, Process process, Path logFile) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
  }

  /**
   * Starts {@code vae-stream <name> args} with heap {@code heap}, logging to {@code <name>.log}.
   */
  public static ChildService start(String name, List<String> args, Path logDir, String heap)
      throws IOException {
    return start(name, name, args, logDir.resolve(name + ".log"), heap, Map.of());
  }

  /**
   * Starts {@code vae-stream <command> args} as the service called {@code name}, appending its
   * output to {@code logFile}, with {@code env} added to this process's environment.
   */
  public static ChildService start(
      String name,
      String command,
      List<String> args,
      Path logFile,
      String heap,
      Map<String, String> env)
      throws IOException {
    Process p =
        ChildJvm.of(MAIN).heap(heap).args(command).args(args).env(env).logTo(logFile).start();
    log.info("Started {} (pid {}), log {}", name, p.pid(), logFile);
    return new ChildService(name, p, logFile);
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  public int exitValue() {
    return process.exitValue();
  }

  public Path logFile() {
    return logFile;
  }

  /** SIGKILL, without waiting. */
  public void destroyForcibly() {
    process.destroyForcibly();
  }

  /** SIGKILL, and wait until the process is gone: no shutdown hook, no flush, no goodbye. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " (pid " + process.pid() + ") survived SIGKILL");
    }
  }

  /** SIGTERM, then wait; SIGKILL if it does not stop within {@code graceSeconds}. */
  public int stop(long graceSeconds) throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
        log.warn("{} did not stop within {} s; killing it", name, graceSeconds);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
    return process.exitValue();
  }
}
