package dev.vaestream.app;

import static org.awaitility.Awaitility.await;

import dev.vaestream.core.process.ChildJvm;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code vae-stream demo} as a child process, launched from the packaged application ({@code
 * app/target/vae-stream.jar} and {@code app/target/lib/}) exactly as {@code bin/vae-stream} does,
 * on ports of the test's choosing.
 */
final class DemoStack implements AutoCloseable {
  private final Process process;
  private final Thread killOnExit;
  private final Path log;
  private final Map<String, Integer> ports;
  private final long startedNanos = System.nanoTime();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private DemoStack(Process process, Path log, Map<String, Integer> ports) {
    this.process = process;
    this.killOnExit = ExternalTools.killOnExit(process);
    this.log = log;
    this.ports = ports;
  }

  /**
   * Starts the demo for at most {@code maxSeconds} (a safety net: it stops by itself even if this
   * JVM dies) with its logs and checkpoints under {@code workDir}.
   */
  static DemoStack start(
      Path repoRoot,
      Path workDir,
      int producerPort,
      int trainerPort,
      int scorerPort,
      long maxSeconds)
      throws IOException {
    return start(repoRoot, workDir, producerPort, trainerPort, scorerPort, maxSeconds, Map.of());
  }

  /** {@link #start} with {@code env} added to the demo's (and so its services') environment. */
  static DemoStack start(
      Path repoRoot,
      Path workDir,
      int producerPort,
      int trainerPort,
      int scorerPort,
      long maxSeconds,
      Map<String, String> env)
      throws IOException {
    Path jar = repoRoot.resolve("app/target/vae-stream.jar");
    Path lib = repoRoot.resolve("app/target/lib");
    if (!Files.isRegularFile(jar) || !Files.isDirectory(lib)) {
      throw new IllegalStateException(
          "package the application first (" + jar + " and " + lib + " must exist)");
    }
    Path log = workDir.resolve("demo.log");
    Files.deleteIfExists(log);
    Process p =
        ChildJvm.of("dev.vaestream.app.VaeStream")
            .classPath(jar + ":" + lib + "/*")
            .args(
                "demo",
                "--duration",
                Long.toString(maxSeconds),
                "--producer-port",
                Integer.toString(producerPort),
                "--trainer-port",
                Integer.toString(trainerPort),
                "--scorer-port",
                Integer.toString(scorerPort),
                "--var-dir",
                workDir.resolve("demo").toString())
            .directory(repoRoot)
            .env(env)
            .logTo(log)
            .start();
    return new DemoStack(
        p, log, Map.of("producer", producerPort, "trainer", trainerPort, "scorer", scorerPort));
  }

  Path log() {
    return log;
  }

  Duration uptime() {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  /** Waits until every service's {@code /health} answers 200. */
  void awaitHealthy(Duration timeout) {
    await("producer, trainer and scorer healthy; see " + log)
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(500))
        .failFast("the demo exited; see " + log, () -> !process.isAlive())
        .until(
            () ->
                status("producer", "/health") == 200
                    && status("trainer", "/health") == 200
                    && status("scorer", "/health") == 200);
  }

  boolean alive() {
    return process.isAlive();
  }

  /** HTTP status of {@code GET path} on a service, or -1 when it does not answer. */
  int status(String service, String path) throws InterruptedException {
    try {
      return get(service, path).statusCode();
    } catch (IOException e) {
      return -1;
    }
  }

  /** {@code GET path} on a service's HTTP port. */
  HttpResponse<byte[]> get(String service, String path) throws IOException, InterruptedException {
    URI uri = URI.create("http://127.0.0.1:" + ports.get(service) + path);
    return http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The demo's child JVM that runs {@code service} ({@code ... VaeStream <service> ...}). */
  ProcessHandle child(String service) {
    return process
        .descendants()
        .filter(
            ph -> {
              List<String> args = commandLine(ph.pid());
              int main = args.indexOf("dev.vaestream.app.VaeStream");
              return main >= 0 && main + 1 < args.size() && args.get(main + 1).equals(service);
            })
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no " + service + " process under the demo"));
  }

  /** A process' arguments from /proc (ProcessHandle.Info leaves them out for long lines). */
  private static List<String> commandLine(long pid) {
    try {
      String raw = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
      return List.of(raw.split("\0"));
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Sends a signal ({@code STOP}, {@code CONT}) to the JVM of {@code service}. */
  void signal(String service, String signal) throws IOException, InterruptedException {
    long pid = child(service).pid();
    ExternalTools.Result r =
        ExternalTools.run(Path.of("."), 10, List.of("kill", "-" + signal, Long.toString(pid)));
    if (r.exitCode() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + pid + ": " + r.output());
    }
  }

  /** The demo's in-process broker, as it printed it ({@code Kafka at host:port}). */
  String bootstrapServers() throws IOException {
    return Files.readAllLines(log).stream()
        .filter(l -> l.startsWith("Kafka at "))
        .map(l -> l.substring("Kafka at ".length()).strip())
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no 'Kafka at' line in " + log));
  }

  /** SIGTERM (the demo stops its services cleanly), then SIGKILL for anything left. */
  @Override
  public void close() throws InterruptedException {
    ExternalTools.stop(process, 90);
    ExternalTools.forget(killOnExit);
  }
}
