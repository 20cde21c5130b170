package dev.vaestream.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vaestream.localkafka.BrokerSecurity;
import dev.vaestream.localkafka.LocalKafka;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The secured mode of the embedded broker, with plain Kafka clients: it authenticates (SCRAM over
 * TLS), and it authorises with deny by default. The services' own runs on it are in the app's
 * {@code SecuredPipelineIT}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SecuredLocalKafkaIT {
  private static LocalKafka kafka;
  private static final String PASSWORD = BrokerSecurity.randomSecret();

  @BeforeAll
  static void start() {
    kafka = LocalKafka.startSecured();
    kafka.addScramUser("alice", PASSWORD);
    kafka.createTopic("allowed", 1);
    kafka.createTopic("forbidden", 1);
    kafka.createAcls(
        List.of(
            new AclBinding(
                new ResourcePattern(ResourceType.TOPIC, "allowed", PatternType.LITERAL),
                new AccessControlEntry(
                    "User:alice", "*", AclOperation.WRITE, AclPermissionType.ALLOW))));
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  private static Map<String, Object> client(Map<String, Object> security) {
    Map<String, Object> c = new HashMap<>(security);
    c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    return c;
  }

  @Test
  void aUserWritesWhereAnAclAllowsAndNowhereElse() throws Exception {
    Map<String, Object> c = client(kafka.security().clientConfig("alice", PASSWORD));
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(c)) {
      assertThat(producer.send(new ProducerRecord<>("allowed", "k", "v")).get().offset()).isZero();
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>("forbidden", "k", "v")).get())
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(TopicAuthorizationException.class);
    }
    // Write does not include Read.
    Map<String, Object> r = client(kafka.security().clientConfig("alice", PASSWORD));
    r.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    r.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(r)) {
      consumer.assign(List.of(new TopicPartition("allowed", 0)));
      consumer.seekToBeginning(consumer.assignment());
      assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(10)))
          .isInstanceOf(TopicAuthorizationException.class);
    }
  }

  @Test
  void aWrongPasswordIsRejectedAtOnce() {
    long start = System.nanoTime();
    try (Admin admin = Admin.create(client(kafka.security().clientConfig("alice", "wrong")))) {
      assertThatThrownBy(() -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(SaslAuthenticationException.class)
          .hasMessageNotContaining(PASSWORD);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void anUntrustedCertificateIsRefusedByTheClient() {
    Map<String, Object> c =
        client(
            kafka
                .security()
                .clientConfig("alice", PASSWORD, kafka.security().untrustedTrustStore()));
    try (Admin admin = Admin.create(c)) {
      assertThatThrownBy(() -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(SslAuthenticationException.class);
    }
  }

  @Test
  void aClientWithoutSaslIsRefused() {
    // TLS that trusts the broker, but no SASL login: the broker answers nothing but the handshake.
    Map<String, Object> c = client(kafka.security().clientConfig("alice", PASSWORD));
    c.put("security.protocol", "SSL");
    c.remove("sasl.jaas.config");
    c.remove("sasl.mechanism");
    c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
    c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
    Admin tlsOnly = Admin.create(c);
    try {
      assertThatThrownBy(() -> tlsOnly.listTopics().names().get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class);
    } finally {
      tlsOnly.close(Duration.ofSeconds(1));
    }
    // Plain text on the TLS port: refused as well.
    Map<String, Object> p = new HashMap<>();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
    Admin plain = Admin.create(p);
    try {
      assertThatThrownBy(() -> plain.listTopics().names().get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class);
    } finally {
      plain.close(Duration.ofSeconds(1));
    }
  }
}
