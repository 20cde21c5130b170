package dev.vaestream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vaestream.core.cli.ErrorReporting;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The bench command's output contract, on its cheapest benchmark with tiny counts: one JSON line
 * with the benchmark's name, its figures and the machine facts. No timing is asserted: benchmarks
 * are not tests.
 */
class BenchCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void scoreBatchPrintsOneJsonLineWithItsFiguresAndTheMachineFacts() throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cli = ErrorReporting.commandLine(new BenchCommand());
    cli.setOut(new PrintWriter(out, true));

    int code = cli.execute("--only", "score_batch", "--score-seconds", "0.05");

    assertThat(code).isZero();
    List<String> lines = out.toString().strip().lines().toList();
    assertThat(lines).hasSize(1);
    JsonNode line = JSON.readTree(lines.get(0));
    assertThat(line.path("name").asText()).isEqualTo("score_batch");
    JsonNode byBatch = line.path("images_per_sec_by_batch");
    for (String b : List.of("1", "32", "256", "512", "1024")) {
      assertThat(byBatch.path(b).isNumber()).as("images_per_sec_by_batch.%s", b).isTrue();
      assertThat(byBatch.path(b).asDouble()).isPositive();
    }
    for (String fact :
        List.of("cores", "jdk", "nd4j_backend", "omp_num_threads", "cpu", "other_cpu_share")) {
      assertThat(line.has(fact)).as(fact).isTrue();
    }
  }

  @Test
  void rejectsAnUnknownBenchmark() {
    StringWriter err = new StringWriter();
    CommandLine cli = ErrorReporting.commandLine(new BenchCommand());
    cli.setOut(new PrintWriter(new StringWriter(), true));
    cli.setErr(new PrintWriter(err, true));

    int code = cli.execute("--only", "no_such_benchmark");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("unknown benchmark");
  }
}
