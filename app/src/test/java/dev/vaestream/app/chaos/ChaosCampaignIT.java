package dev.vaestream.app.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.cli.JsonLine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chaos campaign end to end, with real service JVMs, real SIGKILLs and a real broker restart.
 * By default the short campaign (5 kills of each service) that fits the test budget; {@code
 * -Dvae.chaos.full=true} runs the full one (200,000 images, 20 kills each).
 */
class ChaosCampaignIT {
  private static final Logger log = LoggerFactory.getLogger(ChaosCampaignIT.class);
  private static final boolean FULL = Boolean.getBoolean("vae.chaos.full");

  /**
   * The short campaign's stream: plain digits, then the same digits much brighter (a sudden change
   * the trainer detects, as in DriftIT), half the images each.
   */
  private static final String SCENARIO =
      "{\"name\": \"chaos-it\", \"phases\": [{\"name\": \"plain\", \"length\": 4800},"
          + " {\"name\": \"bright\", \"length\": 4800, \"brightness\": 0.6}]}";

  @Test
  void nothingIsLostOrRepeatedAndTheModelEqualsTheFaultFreeOne() throws Exception {
    Path scenario = Path.of("target/chaos-it-scenario.json");
    Files.createDirectories(scenario.getParent());
    Files.writeString(scenario, SCENARIO);
    ChaosSettings settings =
        ChaosSettings.defaults()
            .images(FULL ? 200_000 : 9_600)
            .kills(FULL ? 20 : 5)
            .seed(Long.getLong("vae.chaos.seed", 7))
            .hostileInputs(FULL ? 200 : 40)
            .hostileCheckpoints(FULL ? 12 : 6)
            .maxUptimeBeforeKill(Duration.ofSeconds(FULL ? 8 : 5))
            .varDir(Path.of("target/chaos-it"))
            .timeout(Duration.ofMinutes(FULL ? 60 : 12))
            .scenario(FULL ? null : scenario.toString())
            .build();

    ChaosReport report = new Campaign(settings).run();
    Map<String, Object> json = report.toJson();
    log.info("chaos report: {}", JsonLine.of(json));

    assertThat(List.copyOf(json.keySet()).subList(0, 10))
        .containsExactly(
            "images",
            "scored",
            "lost",
            "duplicates",
            "trainer_kills",
            "scorer_kills",
            "broker_restarts",
            "hostile_inputs",
            "hostile_in_dlq",
            "model_identical");
    assertThat(report.failures()).isEmpty();
    assertThat(report.images()).isEqualTo(settings.images());
    assertThat(report.scored()).isEqualTo(settings.images());
    assertThat(report.lost()).isZero();
    assertThat(report.duplicates()).isZero();
    assertThat(report.trainerKills()).isEqualTo(settings.kills());
    assertThat(report.scorerKills()).isEqualTo(settings.kills());
    assertThat(report.brokerRestarts()).isEqualTo(1);
    assertThat(report.hostileInputs()).isEqualTo(settings.hostileInputs());
    assertThat(report.hostileInDlq()).isEqualTo(settings.hostileInputs());
    assertThat(report.hostileInputKinds().values()).allMatch(n -> n > 0);
    assertThat(report.hostileCheckpoints()).isEqualTo(settings.hostileCheckpoints());
    assertThat(report.scoresFromRejectedCheckpoints()).isZero();
    assertThat(report.modelIdentical()).isTrue();
    assertThat(report.trainerStep()).isEqualTo(report.referenceStep()).isPositive();
    assertThat(report.unexpectedExits()).isEmpty();
    assertThat(report.stopExitCodes()).containsOnlyKeys("scorer", "trainer", "trainer-reference");
    assertThat(report.stopExitCodes().values()).containsOnly(0);
    assertThat(report.peakRssMb()).containsKeys("producer", "trainer", "scorer");
    if (!FULL) {
      // The stream changed mid-campaign: the same detections in the chaos and fault-free runs.
      assertThat(report.referenceDriftEvents()).isPositive();
      assertThat(report.driftEvents()).isEqualTo(report.referenceDriftEvents());
    }
    assertThat(report.passed()).isTrue();
  }
}
