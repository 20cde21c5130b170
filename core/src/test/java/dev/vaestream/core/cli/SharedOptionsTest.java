package dev.vaestream.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vaestream.core.kafka.Topics;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The shared flag mixins: new spellings, defaults, and old spellings that still work and warn. */
class SharedOptionsTest {
  @Command(name = "svc")
  static final class Svc {
    @Mixin KafkaOptions kafka = new KafkaOptions();
    @Mixin InputTopicOptions input = new InputTopicOptions();
  }

  private static Svc parse(String... args) {
    Svc svc = new Svc();
    new CommandLine(svc).parseArgs(args);
    return svc;
  }

  @Test
  void defaultsWithoutAnyWarning() {
    try (StandardErrorCapture err = StandardErrorCapture.start()) {
      Svc svc = parse();
      assertThat(svc.kafka.connectTimeout()).isEqualTo(Duration.ofSeconds(30));
      assertThat(svc.input.inputTopic()).isEqualTo(Topics.IMAGES);
      assertThat(err.text()).isEmpty();
    }
  }

  @Test
  void newSpellings() {
    try (StandardErrorCapture err = StandardErrorCapture.start()) {
      Svc svc = parse("--connect-timeout", "1.5s", "--input-topic", "in");
      assertThat(svc.kafka.connectTimeout()).isEqualTo(Duration.ofMillis(1500));
      assertThat(svc.input.inputTopic()).isEqualTo("in");
      assertThat(err.text()).isEmpty();
    }
  }

  @Test
  void oldSpellingsStillWorkAndWarn() {
    try (StandardErrorCapture err = StandardErrorCapture.start()) {
      Svc svc = parse("--connect-timeout-seconds", "7", "--topic", "old");
      assertThat(svc.kafka.connectTimeout()).isEqualTo(Duration.ofSeconds(7));
      assertThat(svc.input.inputTopic()).isEqualTo("old");
      assertThat(err.text())
          .contains("warning: --connect-timeout-seconds is deprecated; use --connect-timeout")
          .contains("warning: --topic is deprecated; use --input-topic");
    }
  }

  @Test
  void aNonPositiveTimeoutIsAUsageError() {
    Svc svc = parse("--connect-timeout", "0s");
    assertThatThrownBy(svc.kafka::connectTimeout)
        .isInstanceOf(UserException.class)
        .hasMessage("--connect-timeout must be positive, got 0s")
        .satisfies(e -> assertThat(((UserException) e).exitCode()).isEqualTo(ExitCodes.USAGE));
  }

  @Test
  void deprecatedAliasesAreHiddenFromHelp() {
    String usage = new CommandLine(new Svc()).getUsageMessage();
    assertThat(usage).contains("--connect-timeout=DURATION", "--input-topic=TOPIC");
    assertThat(usage).doesNotContain("--connect-timeout-seconds", "--topic=");
  }
}
