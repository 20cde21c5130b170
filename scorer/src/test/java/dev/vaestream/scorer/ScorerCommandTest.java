package dev.vaestream.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vaestream.core.cli.ErrorReporting;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.kafka.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ScorerCommandTest {
  static ScorerSettings parse(String... args) {
    ScorerCommand command = new ScorerCommand();
    ErrorReporting.commandLine(command).parseArgs(args);
    return command.settings(Map.of());
  }

  @Test
  void defaultsFollowTheIssue() {
    ScorerSettings s = parse("--bootstrap-servers", "b:9092", "--instance-id", "a");
    assertThat(s.inputTopic()).isEqualTo(Topics.IMAGES);
    assertThat(s.scoresTopic()).isEqualTo(Topics.SCORES);
    assertThat(s.dlqTopic()).isEqualTo(Topics.IMAGES_DLQ);
    assertThat(s.checkpointTopic()).isEqualTo(Topics.CHECKPOINTS);
    assertThat(s.statsTopic()).isEqualTo(Topics.STATS);
    assertThat(s.groupId()).isEqualTo("vae-scorer");
    assertThat(s.transactionalId()).isEqualTo("vae-scorer-a");
    assertThat(s.threshold()).isEqualTo(ThresholdPolicy.defaults());
    assertThat(s.maxBatch()).isEqualTo(512);
    assertThat(s.commitInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(s.httpPort()).isEqualTo(9403);
    assertThat(s.stats()).isNotNull();
    assertThat(s.stats().window()).isEqualTo(Duration.ofMinutes(1));
    assertThat(s.stats().applicationId()).isEqualTo("vae-scorer-stats");
    assertThat(s.checkpointKey()).isNull();
  }

  @Test
  void theForwardPassRunsOnItsOwnThreadUnlessTurnedOff() {
    assertThat(parse("--bootstrap-servers", "b").pipelined()).isTrue();
    assertThat(parse("--bootstrap-servers", "b", "--no-pipeline").pipelined()).isFalse();
    assertThat(parse("--bootstrap-servers", "b", "--pipeline").pipelined()).isTrue();
  }

  @Test
  void thresholdFlags() {
    assertThat(parse("--bootstrap-servers", "b", "--threshold", "0.05").threshold())
        .isEqualTo(ThresholdPolicy.fixed(0.05));
    assertThat(parse("--bootstrap-servers", "b", "--threshold-quantile", "0.999").threshold())
        .isEqualTo(ThresholdPolicy.quantile(0.999));
    assertThatThrownBy(
            () ->
                parse(
                    "--bootstrap-servers",
                    "b",
                    "--threshold",
                    "0.1",
                    "--threshold-quantile",
                    "0.9"))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("exclude each other");
  }

  @Test
  void unknownQuantileExitsWithUsageAndSaysWhy() {
    StringWriter err = new StringWriter();
    CommandLine cmd = ErrorReporting.commandLine(new ScorerCommand());
    cmd.setErr(new PrintWriter(err));
    int code = cmd.execute("--bootstrap-servers", "b:9092", "--threshold-quantile", "0.42");
    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString())
        .contains("--threshold-quantile 0.42 is not a calibrated quantile")
        .contains("0.5, 0.9, 0.95, 0.99, 0.999");
  }

  @Test
  void missingStatsConfigExitsWithUsageNamingTheFile() {
    StringWriter err = new StringWriter();
    CommandLine cmd = ErrorReporting.commandLine(new ScorerCommand());
    cmd.setErr(new PrintWriter(err));
    int code =
        cmd.execute("--bootstrap-servers", "b:9092", "--stats-config", "/nonexistent/s.properties");
    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString())
        .contains("--stats-config /nonexistent/s.properties: no such file")
        .doesNotContain("Exception");
  }

  @Test
  void noStatsAndHmacKey() {
    ScorerSettings s =
        parse(
            "--bootstrap-servers",
            "b",
            "--no-stats",
            "--checkpoint-hmac-key",
            "k",
            "--http-port",
            "-1");
    assertThat(s.stats()).isNull();
    assertThat(s.checkpointKey()).isEqualTo("k");
    assertThat(s.httpPort()).isEqualTo(-1);
  }

  @Test
  void durationFlagsAndTheirDeprecatedSpellings() {
    ScorerSettings s =
        parse(
            "--bootstrap-servers",
            "b",
            "--commit-interval",
            "250ms",
            "--stats-window",
            "2m",
            "--stats-grace",
            "5s",
            "--connect-timeout",
            "1.5s",
            "--input-topic",
            "in");
    assertThat(s.commitInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(s.stats().window()).isEqualTo(Duration.ofMinutes(2));
    assertThat(s.stats().grace()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(s.inputTopic()).isEqualTo("in");

    ScorerSettings old =
        parse(
            "--bootstrap-servers",
            "b",
            "--commit-interval-ms",
            "40",
            "--stats-window-seconds",
            "7",
            "--stats-grace-seconds",
            "0",
            "--connect-timeout-seconds",
            "3");
    assertThat(old.commitInterval()).isEqualTo(Duration.ofMillis(40));
    assertThat(old.stats().window()).isEqualTo(Duration.ofSeconds(7));
    assertThat(old.stats().grace()).isZero();
    assertThat(old.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void aCommitIntervalOverAMinuteNamesTheFlag() {
    assertThatThrownBy(() -> parse("--bootstrap-servers", "b", "--commit-interval", "2m"))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("--commit-interval must be 0..60s");
  }

  @Test
  void instanceIdDefaultsToASafeHostname() {
    assertThat(ScorerCommand.defaultInstanceId(Map.of("HOSTNAME", "pod/7 a"))).isEqualTo("pod-7-a");
    assertThat(ScorerCommand.defaultInstanceId(Map.of())).isNotBlank();
  }
}
