package dev.vaestream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vaestream.core.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The deploy image ({@code deploy/Dockerfile}) as compose runs it: built with {@code docker build},
 * then topic-init, producer, trainer and scorer from that image against the official {@code
 * apache/kafka} image pinned in {@code deploy/.env}, with the checkpoint key and Kafka settings
 * mounted as compose mounts its secrets. Counts exactly one score per produced image. Skips cleanly
 * where no Docker engine answers (these build machines: no socket, so {@code DockerClientFactory}
 * reports Docker unavailable and the test is skipped, not failed).
 */
class DeployImageIT {
  private static final Path ROOT = ExternalTools.repoRoot();
  private static final String IMAGE = "vae-stream:deploy-image-it";
  private static final int IMAGES = 2_000;

  @Test
  @Timeout(1800)
  void theImageRunsThePipelineAgainstTheOfficialKafkaImage() throws Exception {
    assumeTrue(
        DockerClientFactory.instance().isDockerAvailable(),
        "no Docker engine (Testcontainers found no socket or daemon)");
    Map<String, String> env = dotEnv();
    build(env);

    Path secrets = Files.createTempDirectory("deploy-image-it-secrets");
    Path key = Files.writeString(secrets.resolve("checkpoint-hmac.key"), "deploy-image-it-key");
    Path client = Files.writeString(secrets.resolve("kafka-client.properties"), "# PLAINTEXT\n");

    try (Network network = Network.newNetwork();
        KafkaContainer kafka =
            new KafkaContainer(DockerImageName.parse(env.get("KAFKA_IMAGE")))
                .withNetwork(network)
                .withListener("kafka:19092")
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")) {
      kafka.start();
      String bootstrap = "kafka:19092";
      try (GenericContainer<?> topics =
          service(network, key, client, "topics", "--create", "--bootstrap-servers", bootstrap)
              .withStartupCheckStrategy(
                  new OneShotStartupCheckStrategy().withTimeout(Duration.ofMinutes(2)))) {
        topics.start(); // fails unless it exits 0
      }
      try (GenericContainer<?> producer =
              service(
                  network,
                  key,
                  client,
                  "producer",
                  "--bootstrap-servers",
                  bootstrap,
                  "--limit",
                  Integer.toString(IMAGES),
                  "--anomaly-rate",
                  "0.01");
          GenericContainer<?> trainer =
              service(
                  network,
                  key,
                  client,
                  "trainer",
                  "--bootstrap-servers",
                  bootstrap,
                  "--checkpoint-hmac-key-file",
                  "/run/secrets/checkpoint_hmac_key");
          GenericContainer<?> scorer =
              service(
                  network,
                  key,
                  client,
                  "scorer",
                  "--bootstrap-servers",
                  bootstrap,
                  "--checkpoint-hmac-key-file",
                  "/run/secrets/checkpoint_hmac_key")) {
        trainer.start();
        scorer.start();
        producer.start();
        assertThat(readScores(kafka.getBootstrapServers(), Duration.ofMinutes(10)))
            .as("one score per image, none twice")
            .hasSize(IMAGES)
            .doesNotHaveDuplicates();
      }
    }
  }

  private static GenericContainer<?> service(
      Network network, Path key, Path client, String... command) {
    return new GenericContainer<>(DockerImageName.parse(IMAGE))
        .withNetwork(network)
        .withCopyFileToContainer(
            MountableFile.forHostPath(key, 0644), "/run/secrets/checkpoint_hmac_key")
        .withCopyFileToContainer(
            MountableFile.forHostPath(client, 0644), "/run/secrets/kafka_client")
        .withEnv("JAVA_OPTS", "-Xmx512m")
        .withCommand(withKafkaConfig(command))
        .withLogConsumer(new Slf4jLogConsumer(org.slf4j.LoggerFactory.getLogger(command[0])));
  }

  private static String[] withKafkaConfig(String... command) {
    List<String> c = new ArrayList<>(List.of(command));
    c.add("--kafka-config");
    c.add("/run/secrets/kafka_client");
    return c.toArray(String[]::new);
  }

  /** The image ids of every score record, read_committed, until {@link #IMAGES} or timeout. */
  private static List<String> readScores(String bootstrap, Duration timeout) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "deploy-image-it");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    List<String> ids = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
      consumer.subscribe(List.of(Topics.SCORES));
      while (seen.size() < IMAGES && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofSeconds(1))) {
          ids.add(r.key());
          seen.add(r.key());
        }
      }
      // Anything late would be a second score for an image.
      for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofSeconds(5))) {
        ids.add(r.key());
      }
    }
    return ids;
  }

  /** {@code docker build -f deploy/Dockerfile} from the repository root, as compose builds it. */
  private static void build(Map<String, String> env) throws Exception {
    Optional<Path> docker = ExternalTools.onPath("docker");
    assumeTrue(docker.isPresent(), "no docker CLI to build the image");
    ExternalTools.Result r =
        ExternalTools.run(
            ROOT,
            1500,
            List.of(
                docker.get().toString(),
                "build",
                "-f",
                "deploy/Dockerfile",
                "--build-arg",
                "MAVEN_IMAGE=" + env.get("MAVEN_IMAGE"),
                "--build-arg",
                "JRE_IMAGE=" + env.get("JRE_IMAGE"),
                "-t",
                IMAGE,
                "."));
    assertThat(r.exitCode()).as("docker build:%n%s", r.output()).isZero();
  }

  /** deploy/.env as compose reads it (the pinned images). */
  private static Map<String, String> dotEnv() throws Exception {
    Properties p = new Properties();
    p.load(Files.newBufferedReader(ROOT.resolve("deploy/.env"), StandardCharsets.UTF_8));
    Map<String, String> out = new HashMap<>();
    p.forEach((k, v) -> out.put(k.toString(), v.toString().strip()));
    assertThat(out).containsKeys("KAFKA_IMAGE", "MAVEN_IMAGE", "JRE_IMAGE");
    return out;
  }
}
