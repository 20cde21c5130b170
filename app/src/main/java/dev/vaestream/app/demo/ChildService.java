package dev.vaestream.app.demo;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipeline service run as its own JVM, exactly as a user would run it ({@code vae-stream
 * <service> ...}), with its log in a file. Separate processes keep each service's ND4J threads and
 * heap its own, and let the demo stop them with SIGTERM like any supervisor.
 */
final class ChildService {
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

  static ChildService start(String name, List<String> args, Path logDir, String heap)
      throws IOException {
    Files.createDirectories(logDir);
    Path logFile = logDir.resolve(name + ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(MAIN);
    cmd.add(name);
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(new File(logFile.toString())));
    pb.environment().putIfAbsent("OMP_NUM_THREADS", "1");
    Process p = pb.start();
    p.getOutputStream().close();
    log.info("Started {} (pid {}), log {}", name, p.pid(), logFile);
    return new ChildService(name, p, logFile);
  }

  String name() {
    return name;
  }

  boolean alive() {
    return process.isAlive();
  }

  int exitValue() {
    return process.exitValue();
  }

  Path logFile() {
    return logFile;
  }

  /** SIGTERM, then wait; SIGKILL if it does not stop within {@code graceSeconds}. */
  int stop(long graceSeconds) throws InterruptedException {
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
