package dev.vaestream.app.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BrokerKillLoopTest {
  @Test
  void theFirstFaultsAreLeaderCoordinatorAndTwoDownThenStallsThenRandomKills() {
    assertThat(BrokerKillLoop.plan(10, 1))
        .containsExactly(
            "leader",
            "coordinator",
            "two_down",
            "stall",
            "random",
            "random",
            "random",
            "random",
            "random",
            "random");
  }

  @Test
  void twoDownCountsAsTwoKills() {
    assertThat(BrokerKillLoop.plan(3, 0)).containsExactly("leader", "coordinator", "two_down");
    assertThat(BrokerKillLoop.plan(4, 0)).containsExactly("leader", "coordinator", "two_down");
    assertThat(BrokerKillLoop.plan(5, 0))
        .containsExactly("leader", "coordinator", "two_down", "random");
  }

  @Test
  void fewKillsOrNoneKeepTheOrder() {
    assertThat(BrokerKillLoop.plan(1, 0)).containsExactly("leader");
    assertThat(BrokerKillLoop.plan(2, 0)).containsExactly("leader", "coordinator");
    assertThat(BrokerKillLoop.plan(0, 2)).containsExactly("stall", "stall");
  }
}
