package dev.vaestream.app.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vaestream.app.TopicsCommand;
import dev.vaestream.app.process.SecuredPipeline;
import dev.vaestream.core.cli.ErrorReporting;
import dev.vaestream.core.kafka.Topics;
import dev.vaestream.core.security.ResourceNames;
import dev.vaestream.core.security.ServiceRole;
import dev.vaestream.localkafka.BrokerSecurity;
import dev.vaestream.localkafka.LocalKafka;
import dev.vaestream.producer.ProducerCommand;
import dev.vaestream.scorer.ScorerCommand;
import dev.vaestream.scorer.ScorerService;
import dev.vaestream.testsupport.CapturedOutput;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The whole pipeline on a broker that authenticates every client (SCRAM-SHA-512 over TLS) and
 * denies whatever no ACL allows, each service logged in as its own principal holding exactly the
 * ACLs of {@code AccessPolicy} and nothing more. Topics are created by the administrator, as the
 * policy expects. Then the denials: a scorer cannot forge checkpoints, a producer cannot read
 * scores, and a wrong password or an untrusted certificate stops each service with exit code 2 and
 * a message that names the problem, within its connect timeout and without the secret.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SecuredPipelineIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final int FIRST_IMAGES = 320;
  private static final int MORE_IMAGES = 40;
  private static final int CONNECT_TIMEOUT_SECONDS = 20;

  @TempDir static Path dir;

  private static LocalKafka kafka;
  private static final Map<ServiceRole, String> passwords = new EnumMap<>(ServiceRole.class);
  private static final Map<ServiceRole, Path> configs = new EnumMap<>(ServiceRole.class);
  private static Path keyFile;
  private static SecuredPipeline pipeline;

  @BeforeAll
  static void secureCluster() {
    kafka = LocalKafka.startSecured();
    // What demo --secure does: topics by the administrator, one user per service, exactly the
    // policy's ACLs (the statistics under the scorer's principal), a key file.
    pipeline = SecuredPipeline.setUp(kafka, dir.resolve("secrets"));
    for (ServiceRole role : SecuredPipeline.SERVICES) {
      passwords.put(role, pipeline.password(role));
      configs.put(role, pipeline.kafkaConfig(role));
    }
    keyFile = pipeline.checkpointKeyFile();
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  @Order(1)
  void eachServiceDoesItsWorkWithOnlyItsOwnAcls() throws Exception {
    assertThat(produce(FIRST_IMAGES)).isZero();

    int trained =
        run(
            new dev.vaestream.trainer.TrainerCommand(),
            "--kafka-config",
            configs.get(ServiceRole.TRAINER).toString(),
            "--checkpoint-hmac-key-file",
            keyFile.toString(),
            "--max-steps",
            "6",
            "--checkpoint-every",
            "3",
            "--http-port",
            "-1",
            "--connect-timeout-seconds",
            Integer.toString(CONNECT_TIMEOUT_SECONDS));
    assertThat(trained).as("trainer exit code").isZero();

    ScorerCommand command = new ScorerCommand();
    new CommandLine(command)
        .parseArgs(
            "--kafka-config",
            configs.get(ServiceRole.SCORER).toString(),
            "--checkpoint-hmac-key-file",
            keyFile.toString(),
            "--instance-id",
            "secured",
            "--http-port",
            "-1",
            "--stats-window-seconds",
            "1",
            "--stats-grace-seconds",
            "0",
            "--stats-state-dir",
            dir.resolve("stats-state").toString(),
            "--connect-timeout-seconds",
            Integer.toString(CONNECT_TIMEOUT_SECONDS));
    try (ScorerService scorer = ScorerService.start(command.settings(Map.of()))) {
      await(() -> scorer.model() != null, "the scorer loads the signed checkpoint");
      await(() -> readCommitted(Topics.SCORES).size() >= FIRST_IMAGES, "first scores");
      // Later images fall into a later one-second window, which closes the first one.
      Thread.sleep(1_100);
      // Test images: other ids than the first batch's training images.
      assertThat(produce(MORE_IMAGES, "--split", "test")).isZero();
      await(() -> readCommitted(Topics.SCORES).size() >= FIRST_IMAGES + MORE_IMAGES, "all scores");
      await(() -> !readCommitted(Topics.STATS).isEmpty(), "a closed statistics window");
      assertThat(scorer.health().health().healthy()).isTrue();
    }

    List<ConsumerRecord<byte[], byte[]>> scores = readCommitted(Topics.SCORES);
    Set<String> ids = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r : scores) {
      ids.add(new String(r.key(), StandardCharsets.UTF_8));
    }
    assertThat(scores).as("exactly once: one score per image").hasSize(FIRST_IMAGES + MORE_IMAGES);
    assertThat(ids).hasSize(FIRST_IMAGES + MORE_IMAGES);
    assertThat(readCommitted(Topics.CHECKPOINTS)).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  @Order(2)
  void aScorerCannotWriteCheckpoints() {
    Map<String, Object> c = client(ServiceRole.SCORER, passwords.get(ServiceRole.SCORER));
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    try (KafkaProducer<byte[], byte[]> forger = new KafkaProducer<>(c)) {
      ProducerRecord<byte[], byte[]> forged =
          new ProducerRecord<>(Topics.CHECKPOINTS, 0, "ckpt-0".getBytes(), new byte[64]);
      assertThatThrownBy(() -> forger.send(forged).get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(TopicAuthorizationException.class)
          .hasMessageContaining(Topics.CHECKPOINTS);
    }
  }

  @Test
  @Order(3)
  void aProducerCannotReadScores() {
    Map<String, Object> c = client(ServiceRole.PRODUCER, passwords.get(ServiceRole.PRODUCER));
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(c)) {
      reader.assign(List.of(new TopicPartition(Topics.SCORES, 0)));
      reader.seekToBeginning(reader.assignment());
      assertThatThrownBy(() -> reader.poll(Duration.ofSeconds(20)))
          .isInstanceOf(TopicAuthorizationException.class)
          .hasMessageContaining(Topics.SCORES);
    }
  }

  @Test
  @Order(4)
  void aWrongPasswordStopsEachServiceWithExitTwo() throws IOException {
    for (ServiceRole role :
        List.of(ServiceRole.PRODUCER, ServiceRole.TRAINER, ServiceRole.SCORER)) {
      String wrong = BrokerSecurity.randomSecret();
      Path file =
          clientFile(
              role.wireName() + "-wrong.properties",
              kafka.security().clientConfig(role.defaultUser(), wrong));
      assertStopsWithExitTwo(
          role, file, wrong, "authentication with Kafka", "failed", "SCRAM-SHA-512");
    }
  }

  @Test
  @Order(5)
  void anUntrustedCertificateStopsEachServiceWithExitTwo() throws IOException {
    for (ServiceRole role :
        List.of(ServiceRole.PRODUCER, ServiceRole.TRAINER, ServiceRole.SCORER)) {
      String password = passwords.get(role);
      Path file =
          clientFile(
              role.wireName() + "-untrusted.properties",
              kafka
                  .security()
                  .clientConfig(
                      role.defaultUser(), password, kafka.security().untrustedTrustStore()));
      assertStopsWithExitTwo(role, file, password, "TLS certificate of Kafka", "not trusted");
    }
  }

  @Test
  @Order(6)
  void theTopicsCommandNamesCredentialAndAclFailuresWithExitTwo() throws IOException {
    String wrong = BrokerSecurity.randomSecret();
    Path file =
        clientFile(
            "topics-wrong.properties",
            kafka.security().clientConfig(ServiceRole.PRODUCER.defaultUser(), wrong));
    StringWriter err = new StringWriter();
    int code =
        run(
            new TopicsCommand(),
            err,
            "--kafka-config",
            file.toString(),
            "--check",
            "--connect-timeout",
            CONNECT_TIMEOUT_SECONDS + "s");
    assertThat(code).as(err.toString()).isEqualTo(2);
    assertThat(err.toString())
        .contains("authentication with Kafka")
        .doesNotContain(wrong)
        .doesNotContain("\tat ");

    // Right password, least privilege: the producer's principal may not see the other topics.
    StringWriter denied = new StringWriter();
    int deniedCode =
        run(
            new TopicsCommand(),
            denied,
            "--kafka-config",
            configs.get(ServiceRole.PRODUCER).toString(),
            "--check",
            "--connect-timeout",
            CONNECT_TIMEOUT_SECONDS + "s");
    assertThat(deniedCode).as(denied.toString()).isEqualTo(2);
    assertThat(denied.toString()).contains("not authorised").doesNotContain("\tat ");
  }

  @Test
  @Order(7)
  void aclsApplyCreatesThePolicyAsAdministratorAndIsRefusedToAService() throws IOException {
    Map<String, Object> admin = new HashMap<>(kafka.adminClientConfig());
    admin.remove("client.id");
    Path adminFile = clientFile("admin.properties", admin);
    StringWriter out = new StringWriter();
    CommandLine cmd = ErrorReporting.commandLine(new dev.vaestream.app.AclsCommand());
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(new StringWriter(), true));
    // The policy exists already: creating an existing ACL again changes nothing.
    assertThat(cmd.execute("--apply", "--kafka-config", adminFile.toString())).isZero();
    assertThat(out.toString()).contains("\"acls_created\":");

    StringWriter err = new StringWriter();
    CommandLine denied = ErrorReporting.commandLine(new dev.vaestream.app.AclsCommand());
    denied.setOut(new PrintWriter(new StringWriter(), true));
    denied.setErr(new PrintWriter(err, true));
    int code =
        denied.execute("--apply", "--kafka-config", configs.get(ServiceRole.PRODUCER).toString());
    assertThat(code).as("a service may not change ACLs: %s", err).isEqualTo(2);
    assertThat(err.toString()).contains("cannot create ACLs: not authorised");
  }

  /**
   * The statistics stream as a principal of its own ({@code --stats-config}): a second scorer group
   * whose scorer user holds only the scorer's ACLs and whose statistics user only the statistics'
   * (own application id, internal topics, transactional ids), both from {@code AccessPolicy}. It
   * scores, its statistics reach {@code anomaly.stats}, and the scorer's own user may not read the
   * scores, so the statistics did not run under it.
   */
  @Test
  @Order(8)
  void theStatisticsStreamRunsAsItsOwnPrincipal() throws Exception {
    ResourceNames defaults = ResourceNames.defaults();
    ResourceNames names =
        new ResourceNames(
            defaults.imagesTopic(),
            defaults.dlqTopic(),
            defaults.checkpointsTopic(),
            defaults.scoresTopic(),
            defaults.statsTopic(),
            defaults.trainerGroupId(),
            defaults.trainerTransactionalId(),
            "separate-scorer",
            "separate-scorer-stats");
    Path scorerConfig = pipeline.addPrincipal("separate-scorer", ServiceRole.SCORER, names);
    Path statsConfig = pipeline.addPrincipal("separate-stats", ServiceRole.SCORER_STATS, names);
    int statsBefore = readCommitted(Topics.STATS).size();
    int scoresBefore = readCommitted(Topics.SCORES).size();

    ScorerCommand command = new ScorerCommand();
    new CommandLine(command)
        .parseArgs(
            "--kafka-config",
            scorerConfig.toString(),
            "--stats-config",
            statsConfig.toString(),
            "--group-id",
            "separate-scorer",
            "--checkpoint-hmac-key-file",
            keyFile.toString(),
            "--instance-id",
            "one",
            "--http-port",
            "-1",
            "--stats-window-seconds",
            "1",
            "--stats-grace-seconds",
            "0",
            "--stats-state-dir",
            dir.resolve("separate-stats-state").toString(),
            "--connect-timeout-seconds",
            Integer.toString(CONNECT_TIMEOUT_SECONDS));
    try (ScorerService scorer = ScorerService.start(command.settings(Map.of()))) {
      // A new group scores every image again, writing the partial statistics of its scores.
      await(
          () -> readCommitted(Topics.SCORES).size() >= 2 * scoresBefore,
          "the second group's scores");
      // That burst fits in a second or two: a window closes once a later partial arrives, so
      // score a few more images, more than a one-second window later.
      Thread.sleep(1_100);
      assertThat(produce(MORE_IMAGES, "--split", "test")).isZero();
      await(
          () -> readCommitted(Topics.STATS).size() > statsBefore,
          "closed windows from the separate statistics principal");
      assertThat(scorer.health().health().healthy()).isTrue();
    }

    Properties scorerUser = new Properties();
    try (var in = Files.newBufferedReader(scorerConfig)) {
      scorerUser.load(in);
    }
    Map<String, Object> c = new HashMap<>();
    scorerUser.forEach((k, v) -> c.put((String) k, v));
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(c)) {
      reader.assign(List.of(new TopicPartition(Topics.SCORES, 0)));
      reader.seekToBeginning(reader.assignment());
      assertThatThrownBy(() -> reader.poll(Duration.ofSeconds(20)))
          .as("the scorer's own user holds no statistics ACL")
          .isInstanceOf(TopicAuthorizationException.class);
    }
  }

  private static void assertStopsWithExitTwo(
      ServiceRole role, Path kafkaConfig, String secret, String... expected) {
    StringWriter err = new StringWriter();
    long start = System.nanoTime();
    int code;
    String captured;
    try (CapturedOutput output = CapturedOutput.start()) {
      code = runServiceOnce(role, kafkaConfig, err);
      captured = output.text();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    String message = err.toString();
    assertThat(code).as("%s exit code; stderr: %s", role, message).isEqualTo(2);
    assertThat(message).as("%s message", role).contains(expected).doesNotContain("\tat ");
    assertThat(message.lines().count()).as("%s: one line, no stack trace", role).isEqualTo(1);
    assertThat(message + captured).as("%s output", role).doesNotContain(secret);
    assertThat(took)
        .as("%s stops within its connect timeout", role)
        .isLessThan(Duration.ofSeconds(CONNECT_TIMEOUT_SECONDS));
  }

  private static int runServiceOnce(ServiceRole role, Path kafkaConfig, Writer err) {
    String timeout = Integer.toString(CONNECT_TIMEOUT_SECONDS);
    return switch (role) {
      case PRODUCER ->
          run(
              new ProducerCommand(),
              err,
              "--kafka-config",
              kafkaConfig.toString(),
              "--limit",
              "10",
              "--http-port",
              "-1",
              "--connect-timeout",
              timeout);
      case TRAINER ->
          run(
              new dev.vaestream.trainer.TrainerCommand(),
              err,
              "--kafka-config",
              kafkaConfig.toString(),
              "--checkpoint-hmac-key-file",
              keyFile.toString(),
              "--max-steps",
              "1",
              "--http-port",
              "-1",
              "--connect-timeout-seconds",
              timeout);
      case SCORER, SCORER_STATS ->
          run(
              new ScorerCommand(),
              err,
              "--kafka-config",
              kafkaConfig.toString(),
              "--checkpoint-hmac-key-file",
              keyFile.toString(),
              "--instance-id",
              "wrong",
              "--http-port",
              "-1",
              "--no-stats",
              "--connect-timeout-seconds",
              timeout);
    };
  }

  private static int produce(int images, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--kafka-config",
                configs.get(ServiceRole.PRODUCER).toString(),
                "--limit",
                Integer.toString(images),
                "--http-port",
                "-1",
                "--connect-timeout",
                Integer.toString(CONNECT_TIMEOUT_SECONDS)));
    args.addAll(List.of(extra));
    return run(new ProducerCommand(), args.toArray(String[]::new));
  }

  private static int run(Object command, String... args) {
    return run(command, new StringWriter(), args);
  }

  private static int run(Object command, Writer err, String... args) {
    CommandLine cmd = ErrorReporting.commandLine(command);
    cmd.setErr(new PrintWriter(err, true));
    cmd.setOut(new PrintWriter(new StringWriter(), true));
    return cmd.execute(args);
  }

  /** A mode-600 client properties file for {@code security} on this broker. */
  private static Path clientFile(String name, Map<String, Object> security) throws IOException {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", kafka.bootstrapServers());
    security.forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
    Path file = dir.resolve(name);
    try (Writer w = Files.newBufferedWriter(file)) {
      p.store(w, null);
    }
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private static Map<String, Object> client(ServiceRole role, String password) {
    Map<String, Object> c =
        new HashMap<>(kafka.security().clientConfig(role.defaultUser(), password));
    c.put("bootstrap.servers", kafka.bootstrapServers());
    return c;
  }

  /** Every committed record of a single-partition topic, read as the administrator. */
  private static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
    Map<String, Object> c = new HashMap<>(kafka.adminClientConfig());
    c.remove("client.id");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 32 * 1024 * 1024);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (consumer.position(tp) < end && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(200);
    }
  }
}
