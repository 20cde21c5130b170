package dev.vaestream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vaestream.core.process.ChildJvm;
import dev.vaestream.localkafka.LocalKafka;
import dev.vaestream.testsupport.KafkaBrokerExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SIGTERM and Ctrl-C (SIGINT) stop an endless run cleanly: the producer flushes, closes, prints its
 * result and exits 0, and every acknowledged image is in the topic. Runs the producer in a child
 * JVM, because a signal ends the JVM that receives it.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ShutdownIT {

  @ParameterizedTest
  @ValueSource(strings = {"TERM", "INT"})
  void aSignalFlushesClosesAndExitsZero(String signal, LocalKafka kafka) throws Exception {
    // A shell without job control starts background jobs with SIGINT ignored; the child JVM
    // would inherit that and never see Ctrl-C.
    assumeFalse(
        signal.equals("INT") && sigintIgnored(), "SIGINT is ignored in this test JVM's process");
    String topic = "shutdown-it-" + UUID.randomUUID();
    Process process =
        ChildJvm.of(ProducerMain.class.getName())
            .heap("256m")
            .classPath(testClassPath())
            .args(
                "--bootstrap-servers=" + kafka.bootstrapServers(),
                "--input-topic=" + topic,
                "--split=test",
                "--loop",
                "--rate=3000",
                "--http-port=-1")
            .start();
    Output stdout = Output.of(process.getInputStream());
    Output stderr = Output.of(process.getErrorStream());
    try {
      awaitLine(stderr.lines, "Producing an endless loop", 30);
      Thread.sleep(1000); // let some sends be in flight

      new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor();

      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited in time").isTrue();
    } finally {
      process.destroyForcibly();
    }
    List<String> out = stdout.all();
    List<String> err = stderr.all();
    assertThat(process.exitValue()).as("exit code; stderr:%n%s", String.join("\n", err)).isZero();
    assertThat(out).isNotEmpty();
    JsonNode result = new ObjectMapper().readTree(out.get(out.size() - 1));
    long sent = result.get("sent").asLong();
    assertThat(sent).isPositive();
    assertThat(result.get("errors").asLong()).isZero();
    assertThat(err).anyMatch(line -> line.contains("Shutdown requested"));
    // Every acknowledged image is in the topic, and nothing else (idempotent: no duplicates).
    assertThat(TopicContents.readAll(kafka.bootstrapServers(), topic)).hasSize((int) sent);
  }

  /** Linux only: whether this process ignores SIGINT (bit 2 of SigIgn in /proc/self/status). */
  private static boolean sigintIgnored() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return false;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:")) {
        long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
        return (mask & (1L << (2 - 1))) != 0;
      }
    }
    return false;
  }

  private static String testClassPath() {
    // Surefire and Failsafe start the test JVM with a manifest-only jar; the real path is here.
    String path = System.getProperty("surefire.test.class.path");
    return path != null && !path.isBlank() ? path : System.getProperty("java.class.path");
  }

  /** A child's output stream, read line by line on a thread of its own. */
  private record Output(List<String> lines, Thread reader) {
    static Output of(InputStream in) {
      List<String> lines = new CopyOnWriteArrayList<>();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    lines.add(line);
                  }
                } catch (IOException ignored) {
                  // The process is gone.
                }
              },
              "child-output");
      reader.setDaemon(true);
      reader.start();
      return new Output(lines, reader);
    }

    /** Everything, once the child has exited and the stream is drained. */
    List<String> all() throws InterruptedException {
      reader.join(TimeUnit.SECONDS.toMillis(10));
      return lines;
    }
  }

  private static void awaitLine(List<String> lines, String text, int seconds) {
    await()
        .alias("a line with '" + text + "'")
        .atMost(Duration.ofSeconds(seconds))
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(() -> assertThat(lines).anyMatch(l -> l.contains(text)));
  }
}
