package dev.vaestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.cli.ErrorReporting;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.kafka.TopicCatalog;
import dev.vaestream.core.kafka.TopicDefinition;
import dev.vaestream.core.kafka.Topics;
import dev.vaestream.localkafka.LocalKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code bin/vae-stream topics} on a real broker of its own: {@code --check} on an empty cluster
 * names every missing topic, {@code --create} creates the catalogue, {@code --check} then passes,
 * and a changed config is named.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TopicsCommandIT {
  private static LocalKafka kafka;

  @BeforeAll
  static void start() {
    kafka = LocalKafka.start();
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    TopicsCommand command = new TopicsCommand();
    command.environment = Map.of();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = ErrorReporting.commandLine(command);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 2];
    all[0] = "--bootstrap-servers=" + kafka.bootstrapServers();
    all[1] = "--connect-timeout=20s";
    System.arraycopy(args, 0, all, 2, args.length);
    return new Result(cli.execute(all), out.toString(), err.toString());
  }

  @Test
  @Order(1)
  void checkOnAnEmptyClusterNamesEveryMissingTopicAndFails() {
    Result r = run("--check");

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.FAILURE);
    for (TopicDefinition d : TopicCatalog.standard()) {
      assertThat(r.out()).contains("missing: topic " + d.name() + " is missing");
    }
  }

  @Test
  @Order(2)
  void createMakesTheWholeCatalogueAndIsIdempotent() throws Exception {
    Result first = run("--create", "--partitions=2");
    Result second = run("--create", "--partitions=2");

    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out())
        .contains("ok: created topic mnist.images (2 partitions, replication factor 1)")
        .contains("ok: created topic vae.checkpoints (1 partition, replication factor 1)");
    assertThat(second.code()).as(second.err()).isZero();
    assertThat(second.out())
        .contains("ok: using existing topic mnist.images (2 partitions, replication factor 1)")
        .doesNotContain("created");
    try (Admin admin = admin()) {
      assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS))
          .containsAll(
              Set.of(
                  Topics.IMAGES,
                  Topics.IMAGES_DLQ,
                  Topics.CHECKPOINTS,
                  Topics.SCORES,
                  Topics.STATS));
    }
  }

  @Test
  @Order(3)
  void checkPassesOnWhatCreateMade() {
    Result r = run("--check", "--partitions=2");

    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out().lines())
        .hasSize(TopicCatalog.standard().size())
        .allMatch(l -> l.startsWith("ok: "));
  }

  @Test
  @Order(4)
  void checkNamesEachDifference() throws Exception {
    try (Admin admin = admin()) {
      ConfigResource checkpoints =
          new ConfigResource(ConfigResource.Type.TOPIC, Topics.CHECKPOINTS);
      admin
          .incrementalAlterConfigs(
              Map.of(
                  checkpoints,
                  Set.of(
                      new AlterConfigOp(
                          new ConfigEntry(
                              TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE),
                          AlterConfigOp.OpType.SET))))
          .all()
          .get(10, TimeUnit.SECONDS);
    }

    Result r = run("--check", "--partitions=3");

    assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.out())
        .contains(
            "  topic vae.checkpoints has cleanup.policy=delete, defined with cleanup.policy=compact")
        .contains("  topic mnist.images has 2 partition(s), defined with 3")
        .contains("ok: using existing topic anomaly.stats");
  }

  @Test
  @Order(5)
  void badFlagsAreUsageErrors() {
    assertThat(run("--check", "--create").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(run().code()).isEqualTo(ExitCodes.USAGE);
    Result r = run("--create", "--partitions=0");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("at least 1 partition");
  }

  private static Admin admin() {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }
}
