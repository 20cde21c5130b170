package dev.vaestream.app.chaos;

import dev.vaestream.app.process.ChildService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service JVM the campaign keeps alive: it knows how to start the service again, tells a kill
 * (expected) from a death (not expected), and remembers every process id it ran under, so memory
 * can be read from {@code /proc}.
 */
final class SupervisedService {
  private static final Logger log = LoggerFactory.getLogger(SupervisedService.class);

  private static final int MAX_ERROR_CHARS = 400;

  private final String name;
  private final String command;
  private final List<String> args;
  private final Path logFile;
  private final String heap;
  private final int httpPort;
  private final Map<String, String> env;
  private final boolean bounded;
  private final List<String> unexpectedExits = new ArrayList<>();
  private volatile ChildService current;
  private int kills;
  private volatile boolean finished;
  private long logStart;

  SupervisedService(
      String name,
      String command,
      List<String> args,
      Path logFile,
      String heap,
      int httpPort,
      Map<String, String> env,
      boolean bounded) {
    this.name = name;
    this.command = command;
    this.args = List.copyOf(args);
    this.logFile = logFile;
    this.heap = heap;
    this.httpPort = httpPort;
    this.env = Map.copyOf(env);
    this.bounded = bounded;
  }

  String name() {
    return name;
  }

  int httpPort() {
    return httpPort;
  }

  Path logFile() {
    return logFile;
  }

  synchronized void start() {
    try {
      // The log is appended across restarts: an exit's last error is after this point.
      logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
      current = ChildService.start(name, command, args, logFile, heap, env);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  /** The current process id, or -1. */
  synchronized long pid() {
    return current == null ? -1 : current.pid();
  }

  /** SIGKILL the current process and start a new one at once. */
  synchronized void killAndRestart() throws InterruptedException {
    current.kill();
    kills++;
    log.info("chaos: killed {} (kill {}), restarting", name, kills);
    start();
  }

  /**
   * Checks for a process that ended without being killed. For a bounded job (the producer) exit 0
   * is its normal end. Anything else is recorded and the service is started again, so the campaign
   * can go on and report it.
   */
  synchronized void check() {
    if (current == null || current.alive() || finished) {
      return;
    }
    int code = current.exitValue();
    if (bounded && code == 0) {
      finished = true;
      return;
    }
    String what =
        name
            + " exited by itself with code "
            + code
            + " (see "
            + logFile
            + lastError().map(e -> "; last error: " + e).orElse("")
            + ")";
    unexpectedExits.add(what);
    log.warn("chaos: {}; restarting it", what);
    start();
  }

  /**
   * The last line the current process logged that reports an error, shortened: so a report read far
   * from this machine (a CI log) says why a service died, not only where its log was.
   */
  private Optional<String> lastError() {
    try (java.io.InputStream in = Files.newInputStream(logFile)) {
      in.skipNBytes(Math.min(logStart, Files.size(logFile)));
      Stream<String> lines =
          new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))
              .lines();
      return lines
          .filter(l -> l.contains(" ERROR ") || l.contains(": error: "))
          .reduce((a, b) -> b)
          .map(l -> l.length() > MAX_ERROR_CHARS ? l.substring(0, MAX_ERROR_CHARS) + "..." : l);
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty();
    }
  }

  /** A bounded job that ended with exit 0. */
  synchronized boolean finished() {
    return finished;
  }

  /** SIGTERM and wait; the exit code (0 for a clean stop). */
  synchronized int stop(long graceSeconds) throws InterruptedException {
    finished = true;
    return current == null ? 0 : current.stop(graceSeconds);
  }

  /** SIGKILL without waiting and without taking the lock: for the way out. */
  void killNow() {
    finished = true;
    ChildService c = current;
    if (c != null && c.alive()) {
      c.destroyForcibly();
    }
  }

  synchronized int kills() {
    return kills;
  }

  synchronized List<String> unexpectedExits() {
    return List.copyOf(unexpectedExits);
  }
}
