package dev.vaestream.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.metrics.MetricsServer;
import dev.vaestream.core.metrics.ServiceMetrics;
import dev.vaestream.core.record.ImageRecord;
import dev.vaestream.core.record.ImageRecordCodec;
import dev.vaestream.localkafka.LocalKafka;
import dev.vaestream.testsupport.KafkaBrokerExtension;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The producer command end to end against the shared in-JVM broker. */
@ExtendWith(KafkaBrokerExtension.class)
class ProducerIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static MnistDataset test;

  @BeforeAll
  static void loadData() {
    test = MnistDataset.bundled(MnistSplit.TEST);
  }

  private static String uniqueTopic() {
    return "producer-it-" + UUID.randomUUID();
  }

  private static JsonNode run(LocalKafka kafka, String topic, String... flags) throws Exception {
    List<String> args = new ArrayList<>();
    args.add("--bootstrap-servers=" + kafka.bootstrapServers());
    args.add("--input-topic=" + topic);
    args.add("--http-port=-1");
    args.add("--connect-timeout=10s");
    args.addAll(List.of(flags));
    ProducerCommandTest.Result r = ProducerCommandTest.execute(args.toArray(new String[0]));
    assertThat(r.code()).as("exit code; stderr: %s", r.err()).isZero();
    String[] lines = r.out().strip().split("\n");
    return JSON.readTree(lines[lines.length - 1]);
  }

  private static ImageRecord decode(ConsumerRecord<byte[], byte[]> record) {
    try {
      return ImageRecordCodec.decode(record);
    } catch (Exception e) {
      throw new AssertionError("undecodable record " + record, e);
    }
  }

  @Test
  void aBoundedRunDeliversEveryImageOnceWithItsLabelAndPixels(LocalKafka kafka) throws Exception {
    String topic = uniqueTopic();

    JsonNode result = run(kafka, topic, "--split=test", "--shuffle", "--seed=3", "--partitions=2");

    // The last line of stdout: exactly the four fields, in order.
    List<String> fields = new ArrayList<>();
    result.fieldNames().forEachRemaining(fields::add);
    assertThat(fields).containsExactly("sent", "seconds", "images_per_sec", "errors");
    assertThat(result.get("sent").asLong()).isEqualTo(10_000);
    assertThat(result.get("errors").asLong()).isZero();
    assertThat(result.get("seconds").asDouble()).isPositive();
    assertThat(result.get("images_per_sec").asDouble()).isPositive();

    assertThat(TopicContents.partitionCount(kafka.bootstrapServers(), topic)).isEqualTo(2);
    List<ConsumerRecord<byte[], byte[]>> records =
        TopicContents.readAll(kafka.bootstrapServers(), topic);
    assertThat(records).hasSize(10_000);
    Set<Integer> indexes = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      ImageRecord image = decode(record);
      assertThat(indexes.add(image.index())).as("index %d once", image.index()).isTrue();
      assertThat(image.id()).isEqualTo(ImageRecord.id(MnistSplit.TEST, image.index(), 0));
      assertThat(image.split()).isEqualTo(MnistSplit.TEST);
      assertThat(image.label()).isEqualTo(test.label(image.index()));
      assertThat(image.pixels()).isEqualTo(test.image(image.index()));
      assertThat(image.anomaly()).isNull();
      assertThat(record.headers().lastHeader(ImageRecordCodec.H_ANOMALY)).isNull();
      assertThat(image.producedAtMs()).isPositive();
    }
    assertThat(indexes).hasSize(10_000);
  }

  @Test
  void injectedAnomaliesMatchTheFlagsAndAreReproducible(LocalKafka kafka) throws Exception {
    String topic = uniqueTopic();

    JsonNode result =
        run(
            kafka,
            topic,
            "--split=test",
            "--anomaly-rate=0.1",
            "--anomaly-kinds=noise,rotated",
            "--seed=5");

    assertThat(result.get("sent").asLong()).isEqualTo(10_000);
    List<ConsumerRecord<byte[], byte[]>> records =
        TopicContents.readAll(kafka.bootstrapServers(), topic);
    assertThat(records).hasSize(10_000);
    // What the same plan yields offline: the wire must carry exactly these anomalies.
    ImageSource expected =
        new ImageSource(
            test,
            new StreamPlan(
                1,
                false,
                false,
                5,
                OptionalLong.empty(),
                0.1,
                EnumSet.of(AnomalyKind.NOISE, AnomalyKind.ROTATED)),
            () -> 0L);
    Map<String, AnomalyKind> anomalies = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      ImageRecord image = decode(record);
      Header header = record.headers().lastHeader(ImageRecordCodec.H_ANOMALY);
      ImageRecord offline = expected.imageAt(0, image.index());
      assertThat(image.anomaly()).isEqualTo(offline.anomaly());
      assertThat(image.pixels()).isEqualTo(offline.pixels());
      assertThat(image.label()).isEqualTo(test.label(image.index()));
      assertThat(image.split()).isEqualTo(MnistSplit.TEST);
      if (image.anomaly() == null) {
        assertThat(header).isNull();
        assertThat(image.pixels()).isEqualTo(test.image(image.index()));
      } else {
        assertThat(header).isNotNull();
        anomalies.put(image.id(), image.anomaly());
      }
    }
    // Binomial(10000, 0.1): mean 1000, sd 30; five sd either way.
    assertThat(anomalies).hasSizeBetween(850, 1150);
    assertThat(new HashSet<>(anomalies.values()))
        .containsExactlyInAnyOrder(AnomalyKind.NOISE, AnomalyKind.ROTATED);
  }

  @Test
  void epochsAndLimitPutThePassNumberInTheIds(LocalKafka kafka) throws Exception {
    String topic = uniqueTopic();

    JsonNode result = run(kafka, topic, "--split=test", "--epochs=2", "--limit=12000");

    assertThat(result.get("sent").asLong()).isEqualTo(12_000);
    Map<Long, Integer> perPass = new HashMap<>();
    Set<String> ids = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> record :
        TopicContents.readAll(kafka.bootstrapServers(), topic)) {
      ImageRecord image = decode(record);
      ids.add(image.id());
      long pass = Long.parseLong(image.id().substring(image.id().lastIndexOf(':') + 1));
      perPass.merge(pass, 1, Integer::sum);
    }
    assertThat(ids).hasSize(12_000);
    assertThat(perPass).containsExactlyInAnyOrderEntriesOf(Map.of(0L, 10_000, 1L, 2_000));
  }

  @Test
  void aShortRateLimitedRunHoldsTheRateRoughly(LocalKafka kafka) throws Exception {
    String topic = uniqueTopic();

    JsonNode result = run(kafka, topic, "--split=test", "--rate=1000", "--limit=2000");

    // 2000 images at 1000/s take 2 s (the pacer never goes faster); a wide upper margin because
    // CI machines are noisy. RatePacerTest checks the pacing itself exactly, on a fake clock.
    assertThat(result.get("sent").asLong()).isEqualTo(2000);
    assertThat(result.get("seconds").asDouble()).isBetween(1.9, 4.0);
  }

  @Test
  void healthAndMetricsAreServedWhileProducing(LocalKafka kafka) throws Exception {
    String topic = uniqueTopic();
    kafka.createTopic(topic, 1, Map.of());
    ServiceMetrics serviceMetrics = ServiceMetrics.create("producer");
    PrometheusMeterRegistry registry = serviceMetrics.registry();
    ProducerHealth health = new ProducerHealth(topic);
    ProducerSettings settings =
        ProducerCommandTest.settings("--bootstrap-servers=" + kafka.bootstrapServers());
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, registry, health::health)) {
      HttpClient http = HttpClient.newHttpClient();
      URI base = URI.create("http://127.0.0.1:" + server.port());
      assertThat(get(http, base.resolve("/health")).statusCode()).isEqualTo(503);

      ImageSource source =
          new ImageSource(
              test,
              new StreamPlan(
                  1, false, false, 1, OptionalLong.of(500), 0.2, EnumSet.of(AnomalyKind.PATCH)),
              System::currentTimeMillis);
      RunResult result;
      try (ProducerLoop service =
          new ProducerLoop(
              topic,
              new KafkaProducer<>(settings.producerProperties()),
              source,
              RatePacer.perSecond(0),
              serviceMetrics,
              health,
              new AtomicBoolean(true),
              Duration.ofSeconds(5))) {
        // The Kafka client's own metrics, bound through Micrometer's KafkaClientMetrics.
        assertThat(get(http, base.resolve("/metrics")).body()).contains("kafka_producer_");
        result = service.run();
      }

      HttpResponse<String> healthResponse = get(http, base.resolve("/health"));
      assertThat(healthResponse.statusCode()).isEqualTo(200);
      assertThat(healthResponse.body()).contains("\"healthy\":true", "\"status\":\"finished\"");
      String metrics = get(http, base.resolve("/metrics")).body();
      assertThat(metrics).contains("vae_producer_images_total{service=\"producer\"} 500.0");
      long bytes = 0;
      for (ConsumerRecord<byte[], byte[]> record :
          TopicContents.readAll(kafka.bootstrapServers(), topic)) {
        bytes += record.serializedKeySize() + record.serializedValueSize();
      }
      assertThat(metrics)
          .contains("vae_producer_bytes_total{service=\"producer\"} " + bytes + ".0");
      assertThat(metrics)
          .contains("vae_producer_anomalies_total{kind=\"patch\",service=\"producer\"}");
      assertThat(result.sent()).isEqualTo(500);
    } finally {
      serviceMetrics.close();
    }
  }

  private static HttpResponse<String> get(HttpClient http, URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }
}
