package dev.vaestream.app.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.cli.JsonLine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code chaos --secure}, short: the fault campaign on a broker that authenticates every client
 * (SCRAM over TLS) and denies whatever no ACL allows, each service JVM logged in as its own user
 * with only the ACLs of {@code AccessPolicy} (the reference trainer too, on its suffixed names).
 * One kill of each service: the transactional restarts (fencing, recovery) need nothing beyond
 * those ACLs, and the checkpoints the campaign forges as the super user (a compromised writer)
 * reach the topic and are still refused by the HMAC.
 */
class SecuredChaosCampaignIT {
  private static final Logger log = LoggerFactory.getLogger(SecuredChaosCampaignIT.class);

  @Test
  void eachServiceSurvivesItsFaultsWithOnlyItsOwnAclsAndForgeriesAreRefused() throws Exception {
    Path varDir = Path.of("target/chaos-secure-it");
    ChaosSettings settings =
        ChaosSettings.defaults()
            .images(960)
            .kills(1)
            .seed(Long.getLong("vae.chaos.seed", 11))
            .hostileInputs(10)
            .hostileCheckpoints(3)
            .brokerRestarts(0)
            .maxUptimeBeforeKill(Duration.ofSeconds(4))
            .varDir(varDir)
            .timeout(Duration.ofMinutes(5))
            .secure(true)
            .build();

    ChaosReport report = new Campaign(settings).run();
    log.info("secured chaos report: {}", JsonLine.of(report.toJson()));

    assertThat(report.failures()).isEmpty();
    assertThat(report.scored()).isEqualTo(settings.images());
    assertThat(report.lost()).isZero();
    assertThat(report.duplicates()).isZero();
    assertThat(report.trainerKills()).isEqualTo(1);
    assertThat(report.scorerKills()).isEqualTo(1);
    assertThat(report.hostileInDlq()).isEqualTo(settings.hostileInputs());
    assertThat(report.hostileCheckpoints()).isEqualTo(settings.hostileCheckpoints());
    assertThat(report.scoresFromRejectedCheckpoints()).isZero();
    assertThat(report.modelIdentical()).isTrue();
    assertThat(report.unexpectedExits()).isEmpty();
    assertThat(report.stopExitCodes().values()).containsOnly(0);
    assertThat(report.passed()).isTrue();

    // Each JVM really connected over SASL_SSL with its own file (the services log their Kafka
    // configuration, secrets redacted); each is its own user, so the passing campaign shows its
    // ACLs were enough. The reference trainer is a user of its own with suffixed names only.
    Path logs = newestLogs(varDir);
    for (String service : List.of("producer", "trainer", "scorer", "trainer-reference")) {
      assertThat(Files.readString(logs.resolve(service + ".log")))
          .as(service)
          .contains("security.protocol=SASL_SSL")
          .doesNotContain(ChaosSettings.HMAC_KEY);
    }
    assertThat(logs.resolve("secrets").resolve(ChaosSecurity.REFERENCE_USER + ".properties"))
        .isRegularFile();
  }

  private static Path newestLogs(Path varDir) throws IOException {
    try (Stream<Path> dirs = Files.list(varDir)) {
      return dirs.filter(p -> p.getFileName().toString().startsWith("logs-"))
          .max(Path::compareTo)
          .orElseThrow();
    }
  }
}
