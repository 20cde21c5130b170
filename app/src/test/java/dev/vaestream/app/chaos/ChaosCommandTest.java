package dev.vaestream.app.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.app.VaeStream;
import dev.vaestream.core.cli.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Bad chaos flags stop before anything starts, with a message that names the flag. */
class ChaosCommandTest {
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = VaeStream.commandLine();
    cli.setErr(new PrintWriter(err));
    String[] all = new String[args.length + 1];
    all[0] = "chaos";
    System.arraycopy(args, 0, all, 1, args.length);
    return cli.execute(all);
  }

  @Test
  void imagesMustFillWholeTrainingGroups() {
    assertThat(run("--images", "1000")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("--images").contains("multiple of 32");
  }

  @Test
  void heapNeedsAUnit() {
    assertThat(run("--heap", "512")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("heap");
  }

  @Test
  void negativeCountsAreRejected() {
    assertThat(run("--kills", "-1")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("negative");
  }
}
