package dev.vaestream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.kafka.TopicCatalog;
import dev.vaestream.core.kafka.TopicDefinition;
import dev.vaestream.core.kafka.TopicReport;
import dev.vaestream.core.kafka.TopicSetup;
import dev.vaestream.localkafka.LocalKafka;
import dev.vaestream.testsupport.KafkaBrokerExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The one topic administration ({@link TopicSetup}) against a real broker: creating, checking and
 * reporting every difference, through the producer's own topic and the checkpoint topic's configs.
 */
@ExtendWith(KafkaBrokerExtension.class)
class TopicSetupIT {
  private LocalKafka kafka;
  private Admin admin;
  private TopicSetup setup;

  @BeforeEach
  void connect(LocalKafka kafka) {
    this.kafka = kafka;
    admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    setup = new TopicSetup(admin, kafka.bootstrapServers(), Duration.ofSeconds(10));
  }

  @AfterEach
  void close() {
    admin.close();
  }

  private static String uniqueTopic() {
    return "topic-setup-" + UUID.randomUUID();
  }

  private static TopicDefinition images(String topic, int partitions, int replication) {
    return TopicCatalog.images(partitions, (short) replication).named(topic);
  }

  @Test
  void createsAMissingTopicWithTheRequestedPartitions() {
    String topic = uniqueTopic();

    assertThat(setup.checkConnection()).isEqualTo(1);
    TopicReport result = setup.ensure(images(topic, 3, 1));

    assertThat(result.outcome()).isEqualTo(TopicReport.Outcome.CREATED);
    assertThat(result.verified()).isTrue();
    assertThat(result.partitions()).isEqualTo(3);
    assertThat(result.replicationFactor()).isEqualTo(1);
    assertThat(result.differences()).isEmpty();
    // Replication factor 1 and min.insync.replicas 1 are all a one-broker cluster can have.
    assertThat(result.warnings()).isEmpty();
    assertThat(TopicContents.partitionCount(kafka.bootstrapServers(), topic)).isEqualTo(3);
    assertThat(result.summary())
        .isEqualTo("created topic " + topic + " (3 partitions, replication factor 1)");
  }

  @Test
  void anExistingTopicWithFewerPartitionsIsReportedButUsed() {
    String topic = uniqueTopic();
    kafka.createTopic(topic, 1, Map.of());

    TopicReport result;
    try (LogCapture log = LogCapture.of(TopicSetupIT.class)) {
      result =
          setup
              .ensure(images(topic, 3, 1))
              .log(org.slf4j.LoggerFactory.getLogger(TopicSetupIT.class));

      String expected =
          "topic "
              + topic
              + " has 1 partition(s), defined with 3; used as it is (fewer partitions limit how"
              + " many consumers can share the load)";
      assertThat(result.differences()).containsExactly(expected);
      assertThat(log.messages(Level.WARN)).containsExactly("Topic setup: " + expected);
      assertThat(log.messages(Level.INFO))
          .contains(
              "Topic setup: using existing topic "
                  + topic
                  + " (1 partition, replication factor 1) with 1 setting(s) not as defined");
    }
    assertThat(result.outcome()).isEqualTo(TopicReport.Outcome.EXISTS);
    assertThat(result.partitions()).isEqualTo(1);
  }

  @Test
  void anExistingTopicWithOtherReplicationIsReported() {
    String topic = uniqueTopic();
    kafka.createTopic(topic, 2, Map.of());

    TopicReport result = setup.ensure(images(topic, 2, 3));

    assertThat(result.differences())
        .containsExactly(
            "topic "
                + topic
                + " has replication factor 1, defined with 3; used as it is (less durable than"
                + " defined)");
  }

  @Test
  void aReplicationFactorTheClusterCannotHostIsAClearError() {
    String topic = uniqueTopic();

    assertThatThrownBy(() -> setup.ensure(images(topic, 1, 2)))
        .isInstanceOf(UserException.class)
        .hasMessageStartingWith(
            "cannot create topic " + topic + " with replication factor 2 (--replication-factor): ")
        .hasMessageContaining("1 broker")
        .satisfies(e -> assertThat(((UserException) e).exitCode()).isEqualTo(ExitCodes.USAGE));
  }

  @Test
  void minInSyncReplicasAboveTheReplicationFactorIsFatal() {
    String topic = uniqueTopic();
    kafka.createTopic(topic, 1, Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2"));

    assertThatThrownBy(() -> setup.ensure(images(topic, 1, 1)))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "topic "
                + topic
                + " has min.insync.replicas=2 but only 1 replica(s): every acks=all"
                + " send would fail; lower min.insync.replicas or add replicas");
  }

  @Test
  void everyDefinedConfigThatDiffersIsNamed() {
    String topic = uniqueTopic();
    kafka.createTopic(
        topic,
        1,
        Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_DELETE,
            TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
            "1048588"));
    TopicDefinition checkpoints = TopicCatalog.checkpoints((short) 1).named(topic);

    TopicReport report = setup.verify(checkpoints);

    assertThat(report.verified()).isFalse();
    assertThat(report.differences())
        .containsExactlyInAnyOrder(
            "topic " + topic + " has cleanup.policy=delete, defined with cleanup.policy=compact",
            "topic "
                + topic
                + " has max.message.bytes=1048588, defined with max.message.bytes=16777216",
            "topic "
                + topic
                + " has min.compaction.lag.ms=0, defined with min.compaction.lag.ms=60000",
            "topic "
                + topic
                + " has segment.bytes=1073741824, defined with segment.bytes=67108864");
  }

  @Test
  void aCreatedTopicHasEveryDefinedConfigAndVerifiesClean() {
    TopicDefinition checkpoints = TopicCatalog.checkpoints((short) 1).named(uniqueTopic());

    assertThat(setup.ensure(checkpoints).outcome()).isEqualTo(TopicReport.Outcome.CREATED);
    TopicReport again = setup.ensure(checkpoints);

    assertThat(again.outcome()).isEqualTo(TopicReport.Outcome.EXISTS);
    assertThat(again.differences()).isEmpty();
    assertThat(setup.verify(checkpoints).verified()).isTrue();
  }

  @Test
  void verifyNeverCreates() {
    String topic = uniqueTopic();

    TopicReport report = setup.verify(images(topic, 1, 1));

    assertThat(report.outcome()).isEqualTo(TopicReport.Outcome.MISSING);
    assertThat(report.differences()).containsExactly("topic " + topic + " is missing");
    assertThat(setup.partitions(topic)).isEmpty();
  }

  @Test
  void theProducerCommandReportsAnExistingTopicsSettingsAndCarriesOn() {
    String topic = uniqueTopic();
    kafka.createTopic(topic, 1, Map.of());

    ProducerCommandTest.Result r;
    try (LogCapture log = LogCapture.of(ProducerService.class)) {
      r =
          ProducerCommandTest.execute(
              "--bootstrap-servers=" + kafka.bootstrapServers(),
              "--input-topic=" + topic,
              "--partitions=4",
              "--limit=10",
              "--http-port=-1");

      assertThat(log.messages(Level.WARN))
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .contains("has 1 partition(s), defined with 4");
    }
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("\"sent\":10");
  }

  @Test
  void anUnreachableBrokerFailsWithinTheConnectTimeout() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    long start = System.nanoTime();

    ProducerCommandTest.Result r =
        ProducerCommandTest.execute(
            "--bootstrap-servers=127.0.0.1:" + closedPort,
            "--connect-timeout=1.5s",
            "--limit=10",
            "--http-port=-1");

    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(r.code()).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err().strip())
        .isEqualTo(
            "producer: error: cannot connect to the cluster: no answer from Kafka at 127.0.0.1:"
                + closedPort
                + " within 1.5 s (--connect-timeout); is the broker running and the address"
                + " right?");
    assertThat(r.out()).isEmpty();
    assertThat(seconds).isLessThan(10);
  }
}
