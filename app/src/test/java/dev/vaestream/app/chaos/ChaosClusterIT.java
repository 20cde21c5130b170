package dev.vaestream.app.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.cli.JsonLine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chaos campaign on three broker processes (replication factor 3, {@code
 * min.insync.replicas=2}) with broker SIGKILLs: a partition leader while a transaction writes to
 * it, the trainer's transaction coordinator, two brokers at once. Short by default (3 broker kills,
 * 2 kills of each service); {@code -Dvae.chaos.full=true} runs 10 broker kills, a stall and 10
 * kills each.
 */
class ChaosClusterIT {
  private static final Logger log = LoggerFactory.getLogger(ChaosClusterIT.class);
  private static final boolean FULL = Boolean.getBoolean("vae.chaos.full");

  @Test
  void brokerFaultsLoseNothingAndTheModelEqualsTheFaultFreeOne() throws Exception {
    ChaosSettings settings =
        ChaosSettings.defaults()
            .images(FULL ? 200_000 : 3_200)
            .kills(FULL ? 10 : 2)
            .seed(Long.getLong("vae.chaos.seed", 7))
            .hostileInputs(FULL ? 200 : 16)
            .hostileCheckpoints(FULL ? 12 : 4)
            .brokerRestarts(0)
            .maxUptimeBeforeKill(Duration.ofSeconds(5))
            .varDir(Path.of("target/chaos-cluster-it"))
            .timeout(Duration.ofMinutes(FULL ? 60 : 10))
            .build();
    ClusterSettings cluster = new ClusterSettings(3, FULL ? 10 : 3, FULL ? 1 : 0, "512m");

    ChaosReport report = new Campaign(settings, cluster).run();
    Map<String, Object> json = report.toJson();
    log.info("chaos cluster report: {}", JsonLine.of(json));

    assertThat(report.failures()).isEmpty();
    assertThat(report.lost()).isZero();
    assertThat(report.duplicates()).isZero();
    assertThat(report.scored()).isEqualTo(settings.images());
    assertThat(report.trainerKills()).isEqualTo(settings.kills());
    assertThat(report.scorerKills()).isEqualTo(settings.kills());
    assertThat(report.hostileInDlq()).isEqualTo(settings.hostileInputs());
    assertThat(report.modelIdentical()).isTrue();
    assertThat(report.unexpectedExits()).isEmpty();
    assertThat(json)
        .containsEntry("brokers", 3)
        .containsEntry("leader_kills", 1L)
        .containsEntry("coordinator_kills", 1L)
        .containsEntry("two_brokers_down_windows", 1L)
        .containsEntry("broker_unexpected_exits", 0);
    assertThat((int) json.get("broker_kills")).isGreaterThanOrEqualTo(cluster.brokerKills());
    assertThat((long) json.get("broker_kills_during_transaction")).isPositive();
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> faults = (List<Map<String, Object>>) json.get("broker_faults");
    assertThat(faults).allSatisfy(f -> assertThat((double) f.get("recovery_s")).isNotNegative());
    assertThat(report.passed()).isTrue();
  }
}
