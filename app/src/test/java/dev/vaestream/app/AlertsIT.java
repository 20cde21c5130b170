package dev.vaestream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.vaestream.app.LocalPrometheus.Sample;
import dev.vaestream.core.kafka.CheckpointTopic;
import dev.vaestream.core.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The alerting rules against the real pipeline: the demo with signed checkpoints, scraped by a real
 * Prometheus that evaluates a copy of {@code deploy/prometheus/alerts.yml} whose {@code for:}
 * values are 10 s (the real file is untouched). Quiet while healthy; then the trainer is stopped
 * (SIGSTOP: alive, but answering nothing) and a checkpoint with a forged signature is written to
 * {@code vae.checkpoints}, and {@code VaeStreamServiceDown{job="trainer"}} and {@code
 * VaeStreamCheckpointRejectedBadSignature} must fire. Skips without {@code prometheus}.
 */
class AlertsIT {
  private static final Path ROOT = ExternalTools.repoRoot();
  private static final Path WORK = ROOT.resolve("app/target/alerts-it");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String KEY = "alerts-it-checkpoint-key-0123456789abcdef";
  private static final String SERVICE_DOWN =
      "ALERTS{alertname=\"VaeStreamServiceDown\", job=\"trainer\", alertstate=\"firing\"}";
  private static final String BAD_SIGNATURE =
      "ALERTS{alertname=\"VaeStreamCheckpointRejectedBadSignature\", reason=\"bad_signature\","
          + " alertstate=\"firing\"}";

  @Test
  @Timeout(420)
  void alertsFireWhenTheTrainerStopsAndACheckpointIsForged() throws Exception {
    Optional<Path> prometheusBinary = ExternalTools.onPath("prometheus");
    assumeTrue(prometheusBinary.isPresent(), "prometheus not on PATH (apt-get install prometheus)");
    ExternalTools.deleteTree(WORK);
    Files.createDirectories(WORK);
    List<Integer> ports = ExternalTools.freePorts(4);
    Path config = WORK.resolve("prometheus.yml");
    String scrape = DashboardsIT.scrapeConfig(ports.get(0), ports.get(1), ports.get(2));
    assertThat(scrape).contains("evaluation_interval: 15s");
    Files.writeString(
        config, scrape.replace("evaluation_interval: 15s", "evaluation_interval: 2s"));
    writeShortForCopy(WORK.resolve("alerts.yml"));

    long started = System.nanoTime();
    DemoStack demo = null;
    LocalPrometheus prometheus = null;
    boolean trainerStopped = false;
    try {
      demo =
          DemoStack.start(
              ROOT,
              WORK,
              ports.get(0),
              ports.get(1),
              ports.get(2),
              360,
              Map.of("VAE_CHECKPOINT_HMAC_KEY", KEY));
      prometheus = LocalPrometheus.start(prometheusBinary.get(), config, WORK, ports.get(3));
      prometheus.awaitReady(Duration.ofSeconds(30));
      demo.awaitHealthy(Duration.ofSeconds(120));
      awaitSeries(prometheus, "vae_scorer_model_step_steps > 0", Duration.ofSeconds(120));

      // Healthy: neither alert is pending or firing.
      assertThat(
              prometheus.query(
                  SERVICE_DOWN
                      .replace("firing", "pending|firing")
                      .replace("alertstate=", "alertstate=~")))
          .isEmpty();
      assertThat(
              prometheus.query(
                  BAD_SIGNATURE.replace("alertstate=\"firing\"", "alertstate=~\"pending|firing\"")))
          .isEmpty();

      // The forged checkpoint first, while the trainer runs: a trainer stopped inside one of its
      // checkpoint transactions hides every later record of vae.checkpoints, the forged one
      // included, from read_committed readers until that transaction times out (seen once: the
      // rejection came only after the test resumed the trainer).
      forgeCheckpoint(demo.bootstrapServers());
      List<Sample> forged = awaitSeries(prometheus, BAD_SIGNATURE, Duration.ofSeconds(90));
      assertThat(forged)
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.labels().path("severity").asText()).isEqualTo("critical");
                assertThat(s.labels().path("job").asText()).isEqualTo("scorer");
              });

      demo.signal("trainer", "STOP");
      trainerStopped = true;
      List<Sample> down = awaitSeries(prometheus, SERVICE_DOWN, Duration.ofSeconds(90));
      assertThat(down)
          .singleElement()
          .satisfies(s -> assertThat(s.labels().path("severity").asText()).isEqualTo("critical"));
      // The scorer kept scoring, and only the producer and scorer are still up.
      assertThat(prometheus.query("up == 1"))
          .extracting(s -> s.labels().path("job").asText())
          .containsExactlyInAnyOrder("producer", "scorer");
    } finally {
      try {
        if (demo != null && trainerStopped) {
          demo.signal("trainer", "CONT");
        }
      } finally {
        try {
          if (prometheus != null) {
            prometheus.close();
          }
        } finally {
          if (demo != null) {
            demo.close();
          }
        }
      }
      System.out.printf(
          Locale.ROOT,
          "Alerts check took %d s (logs in %s)%n",
          Duration.ofNanos(System.nanoTime() - started).toSeconds(),
          WORK);
    }
  }

  /** alerts.yml with every {@code for:} at 10 s: the test copy, never the real file. */
  private static void writeShortForCopy(Path target) throws Exception {
    JsonNode rules = YAML.readTree(ROOT.resolve("deploy/prometheus/alerts.yml").toFile());
    for (JsonNode rule : AlertRulesTest.rules(rules)) {
      ((ObjectNode) rule).put("for", "10s");
    }
    YAML.writeValue(target.toFile(), rules);
  }

  /**
   * Writes the newest genuine checkpoint again with one byte of its HMAC flipped and a step far
   * beyond the trainer's in its header, so the scorer tries it and rejects it as bad_signature.
   */
  private static void forgeCheckpoint(String bootstrap) {
    Map<String, Object> c = new HashMap<>(CheckpointTopic.consumerOverrides());
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    ConsumerRecord<byte[], byte[]> newest = null;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      TopicPartition tp = new TopicPartition(Topics.CHECKPOINTS, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (consumer.position(tp) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          newest = r;
        }
      }
    }
    assertThat(newest).as("a genuine checkpoint on %s", Topics.CHECKPOINTS).isNotNull();
    byte[] forged = newest.value().clone();
    forged[forged.length - 1] ^= 0x01; // the last byte of the HMAC-SHA256 trailer
    RecordHeaders headers = new RecordHeaders();
    headers.add(CheckpointTopic.H_STEP, "2000000000".getBytes(StandardCharsets.UTF_8));
    Map<String, Object> p = new HashMap<>(CheckpointTopic.producerOverrides());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      producer.send(
          new ProducerRecord<>(
              Topics.CHECKPOINTS, 0, "forged".getBytes(StandardCharsets.UTF_8), forged, headers));
      producer.flush();
    }
  }

  private static List<Sample> awaitSeries(
      LocalPrometheus prometheus, String promql, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Sample> result = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      result = prometheus.query(promql);
      if (!result.isEmpty()) {
        return result;
      }
      Thread.sleep(1000);
    }
    throw new AssertionError(
        "no series for "
            + promql
            + " within "
            + timeout
            + "; alerts: "
            + prometheus.query("ALERTS"));
  }
}
