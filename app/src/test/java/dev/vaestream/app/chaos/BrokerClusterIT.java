package dev.vaestream.app.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.kafka.TopicDefinition;
import dev.vaestream.core.kafka.TopicReport;
import dev.vaestream.core.kafka.TopicSetup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three broker processes: topics and internal topics replicated three times with {@code
 * min.insync.replicas=2}, a killed leader replaced and restarted on its data, and the topic setup's
 * durability warnings on a cluster of three.
 */
class BrokerClusterIT {
  private static BrokerCluster cluster;

  @BeforeAll
  static void start() {
    cluster =
        BrokerCluster.start(3, Path.of("target/broker-cluster-it-" + System.nanoTime()), "384m");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void topicsAreReplicatedThreeTimesAndSurviveTheirLeadersKill() throws Exception {
    cluster.createTopic("durable", 1, Map.of());
    TopicDescription d = describe("durable");
    assertThat(d.partitions().get(0).replicas()).hasSize(3);
    assertThat(d.partitions().get(0).isr()).hasSize(3);

    int leader = cluster.leaderOf("durable", 0);
    cluster.kill(leader);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int next = -1;
    while (System.nanoTime() < deadline && (next < 0 || next == leader)) {
      Thread.sleep(200);
      next = cluster.leaderOf("durable", 0);
    }
    assertThat(next).isNotNegative().isNotEqualTo(leader);
    cluster.restart(leader);
    cluster.awaitFullIsr();
    assertThat(describe("durable").partitions().get(0).isr()).hasSize(3);
    cluster.check();
    assertThat(cluster.unexpectedExits()).isEmpty();
  }

  @Test
  void topicSetupWarnsAboutFewReplicasOrALowMinInSyncOnThreeBrokers() throws Exception {
    cluster
        .admin()
        .createTopics(
            List.of(
                // The cluster's default min.insync.replicas (2) would be above one replica.
                new NewTopic("fragile", 1, (short) 1).configs(Map.of("min.insync.replicas", "1")),
                new NewTopic("lax", 1, (short) 3).configs(Map.of("min.insync.replicas", "1"))))
        .all()
        .get(60, TimeUnit.SECONDS);
    cluster.createTopic("sound", 1, Map.of());
    try (TopicSetup setup =
        new TopicSetup(cluster.admin(), cluster.bootstrapServers(), Duration.ofSeconds(60))) {
      TopicReport fragile = setup.ensure(definition("fragile", 1));
      TopicReport lax = setup.ensure(definition("lax", 3));
      TopicReport sound = setup.ensure(definition("sound", 3));

      assertThat(fragile.warnings())
          .hasSize(2)
          .anySatisfy(w -> assertThat(w).contains("replication factor 1 on a cluster of 3 brokers"))
          .anySatisfy(w -> assertThat(w).contains("min.insync.replicas=1"));
      assertThat(lax.warnings()).singleElement().asString().contains("min.insync.replicas=1");
      assertThat(sound.warnings()).isEmpty();
      // A warning, not a failure: the topics are still used as they are.
      assertThat(fragile.matches()).isTrue();
      assertThat(lax.matches()).isTrue();
    }
  }

  private static TopicDefinition definition(String name, int replicationFactor) {
    return new TopicDefinition(name, 1, (short) replicationFactor, Map.of());
  }

  private static TopicDescription describe(String topic) throws Exception {
    return cluster
        .admin()
        .describeTopics(List.of(topic))
        .allTopicNames()
        .get(30, TimeUnit.SECONDS)
        .get(topic);
  }
}
