package dev.vaestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.List;

/**
 * What the resolved Compose file ({@code docker-compose config}) must say for the stack to keep its
 * data, scale the scorer and be locked down by default (issue 18).
 */
final class ComposeFacts {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final List<String> SERVICES =
      List.of("topic-init", "producer", "trainer", "scorer");

  private ComposeFacts() {}

  static void check(String resolvedCompose) throws IOException {
    JsonNode compose = YAML.readTree(resolvedCompose);
    JsonNode services = compose.path("services");
    services
        .fields()
        .forEachRemaining(
            e -> {
              String name = e.getKey();
              JsonNode s = e.getValue();
              // Locked down: every published port on loopback only; logs rotated.
              for (JsonNode port : s.path("ports")) {
                String text = port.isTextual() ? port.asText() : port.path("host_ip").asText();
                assertThat(text).as("%s: port %s", name, port).startsWith("127.0.0.1");
              }
              assertThat(s.at("/logging/options/max-size").asText())
                  .as("%s: log rotation", name)
                  .isNotBlank();
              // No password in the environment: secrets come from files (Grafana's *__FILE).
              s.path("environment")
                  .fields()
                  .forEachRemaining(
                      v -> {
                        if (v.getKey().endsWith("__FILE")) {
                          assertThat(v.getValue().asText()).startsWith("/run/secrets/");
                        } else {
                          assertThat(v.getKey())
                              .as("%s: secret in the environment", name)
                              .doesNotContain("PASSWORD")
                              .doesNotContain("HMAC_KEY");
                        }
                      });
            });
    for (String name : SERVICES) {
      JsonNode s = services.path(name);
      assertThat(s.path("mem_limit").asText()).as("%s: memory limit", name).isNotBlank();
      assertThat(s.path("environment").path("JAVA_OPTS").asText())
          .as("%s: heap below the limit, JavaCPP's native memory capped", name)
          .contains("-Xmx")
          .contains("org.bytedeco.javacpp.maxphysicalbytes");
      assertThat(s.path("command").toString())
          .as("%s: Kafka settings from a secret file", name)
          .contains("/run/secrets/kafka_client");
    }
    // The scorer scales: no host port, a stable instance id per replica; the key from a file.
    JsonNode scorer = services.path("scorer");
    assertThat(scorer.path("ports").isMissingNode() || scorer.path("ports").isEmpty()).isTrue();
    assertThat(scorer.at("/environment/VAE_INSTANCE_ID_FROM_CONTAINER_NAME").asText())
        .isEqualTo("true");
    for (String name : List.of("trainer", "scorer")) {
      assertThat(services.path(name).path("command").toString())
          .contains("--checkpoint-hmac-key-file", "/run/secrets/checkpoint_hmac_key");
    }
    // Topics come from the project's own catalogue.
    assertThat(services.path("topic-init").path("command").toString())
        .contains("\"topics\"", "\"--create\"");
    // Kafka keeps its data on a named volume, with retention on the delete-policy topics.
    JsonNode kafka = services.path("kafka");
    assertThat(kafka.path("volumes").toString()).contains("kafka-data");
    assertThat(kafka.at("/environment/KAFKA_LOG_DIRS").asText()).isEqualTo("/var/lib/kafka/data");
    assertThat(kafka.at("/environment/KAFKA_LOG_RETENTION_MS").asText()).isNotBlank();
    assertThat(kafka.at("/environment/KAFKA_LOG_RETENTION_BYTES").asText()).isNotBlank();
    assertThat(compose.path("volumes").has("kafka-data")).isTrue();
    // Prometheus is size-capped and alerts go to Alertmanager; Grafana needs a login.
    assertThat(services.path("prometheus").path("command").toString())
        .contains("--storage.tsdb.retention.size=");
    assertThat(services.at("/grafana/environment/GF_AUTH_ANONYMOUS_ENABLED").asText())
        .isEqualTo("false");
    assertThat(compose.path("secrets").has("checkpoint_hmac_key")).isTrue();
  }
}
