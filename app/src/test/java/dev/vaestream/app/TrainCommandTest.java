package dev.vaestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vaestream.core.cli.ErrorReporting;
import dev.vaestream.core.cli.ExitCodes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --max-steps}: the short speed check docs/gpu.md asks a GPU user to run. */
class TrainCommandTest {
  @TempDir Path dir;

  @Test
  void maxStepsStopsEarlyAndReportsSpeedAndBackend() throws Exception {
    Path out = dir.resolve("short.ckpt");
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    int code;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      code =
          ErrorReporting.commandLine(new TrainCommand())
              .execute("--max-steps", "20", "--checkpoint-out", out.toString());
    } finally {
      System.setOut(stdout);
    }
    assertThat(code).isEqualTo(ExitCodes.OK);
    assertThat(Files.size(out)).isPositive();
    String[] lines = captured.toString(StandardCharsets.UTF_8).trim().split("\n");
    JsonNode json = new ObjectMapper().readTree(lines[lines.length - 1]);
    assertThat(json.get("steps").asLong()).isEqualTo(20);
    assertThat(json.get("images").asLong()).isEqualTo(20 * 32);
    assertThat(json.get("images_per_sec").asDouble()).isPositive();
    assertThat(json.get("nd4j_backend").asText()).isEqualTo("cpu");
    assertThat(json.get("compute_path").asText()).isIn("openblas", "portable");
    assertThat(json.get("device").asText()).isNotBlank();
  }

  @Test
  void aNonPositiveMaxStepsIsAUsageError() {
    StringWriter err = new StringWriter();
    int code =
        ErrorReporting.commandLine(new TrainCommand())
            .setErr(new PrintWriter(err))
            .execute("--max-steps", "0", "--checkpoint-out", dir.resolve("x").toString());
    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("--max-steps must be at least 1");
  }
}
