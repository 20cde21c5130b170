package dev.vaestream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The trainer's guard flags reach its {@link GuardSettings}, with the documented defaults. */
class GuardFlagsTest {
  private static GuardSettings guard(String... flags) {
    TrainerCommand command = new TrainerCommand();
    String[] args = new String[flags.length + 1];
    args[0] = "--bootstrap-servers=b:9092";
    System.arraycopy(flags, 0, args, 1, flags.length);
    new CommandLine(command).parseArgs(args);
    return command.settings().guard();
  }

  @Test
  void defaultsAreTheMeasuredOnes() {
    assertThat(guard()).isEqualTo(GuardSettings.defaults());
    assertThat(guard().softWindow()).isEqualTo(2000);
    assertThat(guard().softInkExponent()).isEqualTo(0.5);
  }

  @Test
  void theSoftGuardsRankingIsSetByFlags() {
    GuardSettings g = guard("--guard-soft-window=500", "--guard-soft-ink-exponent=0");
    assertThat(g.softWindow()).isEqualTo(500);
    assertThat(g.softInkExponent()).isZero();
    assertThat(g.soft()).isTrue();
  }
}
