package dev.vaestream.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {
  @Test
  void readsANumberWithAUnit() {
    assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationConverter.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(DurationConverter.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DurationConverter.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(DurationConverter.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(DurationConverter.parse(" 10S ")).isEqualTo(Duration.ofSeconds(10));
    assertThat(DurationConverter.parse("PT0.25S")).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void aBareNumberIsSecondsAsTheOldFlagsRead() {
    assertThat(DurationConverter.parse("30")).isEqualTo(Duration.ofSeconds(30));
    assertThat(DurationConverter.parse("0.5")).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void aBareNumberWarnsThroughTheConverter() {
    try (var err = StandardErrorCapture.start()) {
      assertThat(new DurationConverter().convert("2")).isEqualTo(Duration.ofSeconds(2));
      assertThat(new DurationConverter().convert("2s")).isEqualTo(Duration.ofSeconds(2));
      assertThat(err.text())
          .isEqualTo(
              "warning: a duration without a unit (2) is read as seconds; write 2s"
                  + System.lineSeparator());
    }
  }

  @Test
  void rejectsWhatIsNotADuration() {
    for (String bad : new String[] {"", "abc", "5 parsecs", "-3s", "1.0005s", "PTxS"}) {
      assertThatThrownBy(() -> DurationConverter.parse(bad))
          .as(bad)
          .isInstanceOf(TypeConversionException.class)
          .hasMessageContaining("500ms, 30s");
    }
  }

  @Test
  void formatsTheWayItReads() {
    assertThat(DurationConverter.format(Duration.ofSeconds(30))).isEqualTo("30s");
    assertThat(DurationConverter.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(DurationConverter.format(Duration.ofMillis(250))).isEqualTo("250ms");
  }
}
