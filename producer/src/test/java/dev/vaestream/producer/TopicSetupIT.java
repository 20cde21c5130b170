package dev.vaestream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
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

/** Creating, checking and reporting the output topic against a real broker. */
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

  @Test
  void createsAMissingTopicWithTheRequestedPartitions() {
    String topic = uniqueTopic();

    assertThat(setup.checkConnection()).isEqualTo(1);
    TopicSetup.Result result = setup.ensureTopic(topic, 3, (short) 1);

    assertThat(result.created()).isTrue();
    assertThat(result.partitions()).isEqualTo(3);
    assertThat(result.replicationFactor()).isEqualTo(1);
    assertThat(result.warnings()).isEmpty();
    assertThat(TopicContents.partitionCount(kafka.bootstrapServers(), topic)).isEqualTo(3);
    assertThat(result.summary())
        .isEqualTo("created topic " + topic + " (3 partitions, replication factor 1)");
  }

  @Test
  void anExistingTopicWithFewerPartitionsIsReportedButUsed() {
    String topic = uniqueTopic();
    kafka.createTopic(topic, 1, Map.of());

    TopicSetup.Result result;
    try (LogCapture log = LogCapture.of(TopicSetup.class)) {
      result = setup.ensureTopic(topic, 3, (short) 1);

      String expected =
          "topic "
              + topic
              + " has 1 partition(s) but --partitions 3 was requested; the producer"
              + " uses it as is (fewer partitions limit how many consumers can share the load)";
      assertThat(result.warnings()).containsExactly(expected);
      assertThat(log.messages(Level.WARN)).containsExactly("Topic setup: " + expected);
      assertThat(log.messages(Level.INFO))
          .contains(
              "Topic setup: using existing topic "
                  + topic
                  + " (1 partition, replication factor 1) with 1 setting(s) not as requested");
    }
    assertThat(result.created()).isFalse();
    assertThat(result.partitions()).isEqualTo(1);
  }

  @Test
  void anExistingTopicWithOtherReplicationIsReported() {
    String topic = uniqueTopic();
    kafka.createTopic(topic, 2, Map.of());

    TopicSetup.Result result = setup.ensureTopic(topic, 2, (short) 3);

    assertThat(result.warnings())
        .containsExactly(
            "topic "
                + topic
                + " has replication factor 1 but --replication-factor 3 was"
                + " requested; the producer uses it as is (less durable than requested)");
  }

  @Test
  void aReplicationFactorTheClusterCannotHostIsAClearError() {
    String topic = uniqueTopic();

    assertThatThrownBy(() -> setup.ensureTopic(topic, 1, (short) 2))
        .isInstanceOf(UserException.class)
        .hasMessageStartingWith("cannot create topic " + topic + " with --replication-factor 2: ")
        .hasMessageContaining("1 broker")
        .satisfies(e -> assertThat(((UserException) e).exitCode()).isEqualTo(ExitCodes.USAGE));
  }

  @Test
  void minInSyncReplicasAboveTheReplicationFactorIsFatal() {
    String topic = uniqueTopic();
    kafka.createTopic(topic, 1, Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2"));

    assertThatThrownBy(() -> setup.ensureTopic(topic, 1, (short) 1))
        .isInstanceOf(UserException.class)
        .hasMessage(
            "topic "
                + topic
                + " has min.insync.replicas=2 but only 1 replica(s): every acks=all"
                + " send would fail; lower min.insync.replicas or add replicas");
  }

  @Test
  void theProducerCommandReportsAnExistingTopicsSettingsAndCarriesOn() {
    String topic = uniqueTopic();
    kafka.createTopic(topic, 1, Map.of());

    ProducerCommandTest.Result r;
    try (LogCapture log = LogCapture.of(TopicSetup.class)) {
      r =
          ProducerCommandTest.execute(
              "--bootstrap-servers=" + kafka.bootstrapServers(),
              "--topic=" + topic,
              "--partitions=4",
              "--limit=10",
              "--http-port=-1");

      assertThat(log.messages(Level.WARN))
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .contains("has 1 partition(s) but --partitions 4 was requested");
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
            "--connect-timeout=1.5",
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
