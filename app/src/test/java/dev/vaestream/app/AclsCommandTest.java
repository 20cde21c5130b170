package dev.vaestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.cli.ErrorReporting;
import dev.vaestream.core.cli.InputTopicOptions;
import dev.vaestream.core.security.ResourceNames;
import dev.vaestream.scorer.ScorerCommand;
import dev.vaestream.scorer.ScorerSettings;
import dev.vaestream.trainer.TrainerCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AclsCommandTest {
  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = ErrorReporting.commandLine(new AclsCommand());
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int code = cmd.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void theDocsTableIsWhatTheCodeGrants() throws Exception {
    String docs = Files.readString(Path.of("..", "docs", "security.md"));
    int start = docs.indexOf("<!-- acls-table:start");
    int end = docs.indexOf("<!-- acls-table:end -->");
    assertThat(start).as("table markers in docs/security.md").isNotNegative();
    String inDocs = docs.substring(docs.indexOf('\n', start) + 1, end);
    assertThat(inDocs)
        .as("docs/security.md: regenerate with bin/vae-stream acls --format table")
        .isEqualTo(run("--format", "table").out());
  }

  @Test
  void defaultNamesAreTheServicesDefaults() {
    ResourceNames names = ResourceNames.defaults();
    assertThat(names.scorerGroupId()).isEqualTo(ScorerSettings.DEFAULT_GROUP_ID);
    CommandLine trainer = new CommandLine(new TrainerCommand());
    assertThat(trainer.getCommandSpec().findOption("--group-id").defaultValue())
        .isEqualTo(names.trainerGroupId());
    assertThat(trainer.getCommandSpec().findOption("--transactional-id").defaultValue())
        .isEqualTo(names.trainerTransactionalId());
    assertThat(trainer.getCommandSpec().findOption("--checkpoint-topic").defaultValue())
        .isEqualTo(names.checkpointsTopic());
    assertThat(trainer.getCommandSpec().findOption("--dlq-topic").defaultValue())
        .isEqualTo(names.dlqTopic());
    assertThat(new InputTopicOptions().inputTopic()).isEqualTo(names.imagesTopic());
    // The statistics' application id defaults to <group>-stats.
    ScorerCommand scorer = new ScorerCommand();
    new CommandLine(scorer).parseArgs("--instance-id", "x", "--bootstrap-servers", "localhost:1");
    assertThat(scorer.settings(java.util.Map.of()).stats().applicationId())
        .isEqualTo(names.statsApplicationId());
  }

  @Test
  void printsOneKafkaAclsCommandPerGrant() {
    Run r = run("--service", "trainer", "--bootstrap-servers", "b:9093");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains(
            "kafka-acls.sh --bootstrap-server b:9093 --command-config admin.properties --add"
                + " --allow-principal User:vae-trainer --operation Read --operation Write"
                + " --topic vae.checkpoints\n")
        .contains("--operation Write --transactional-id vae-trainer\n")
        .contains("--operation Write --topic vae.events\n")
        .doesNotContain("User:vae-scorer");
    assertThat(r.out().lines().filter(l -> l.startsWith("kafka-acls.sh"))).hasSize(6);
  }

  @Test
  void principalsAndNamesFollowTheFlags() {
    Run r =
        run(
            "--service",
            "scorer,scorer-stats",
            "--principal",
            "scorer=User:fraud",
            "--principal",
            "scorer-stats=User:fraud-stats",
            "--scorer-group-id",
            "fraud-scorer");
    assertThat(r.out())
        .contains("--allow-principal User:fraud --operation Read --group fraud-scorer")
        .contains(
            "--allow-principal User:fraud --operation Write --transactional-id fraud-scorer-"
                + " --resource-pattern-type prefixed")
        .contains("--allow-principal User:fraud-stats --operation Read --group fraud-scorer-stats");
  }

  @Test
  void topicCreationIsOptIn() {
    assertThat(run("--service", "producer").out()).doesNotContain("--operation Create");
    assertThat(run("--service", "producer", "--allow-topic-creation").out())
        .contains("--operation Create --topic mnist.images");
  }

  @Test
  void badServiceOrPrincipalIsExitTwo() {
    Run r = run("--service", "nope");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("unknown service 'nope'");
    Run p = run("--principal", "trainer=alice");
    assertThat(p.code()).isEqualTo(2);
    assertThat(p.err()).contains("expected TYPE:NAME");
  }
}
