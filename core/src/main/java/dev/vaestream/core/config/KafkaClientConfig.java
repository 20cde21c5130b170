package dev.vaestream.core.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Kafka client properties built in one fixed order: service defaults, then a properties file, then
 * {@code KAFKA_*} environment variables, then command-line flags. Each layer overrides the one
 * before, so SASL/SSL settings can come from a file or the environment without code changes.
 *
 * <p>Environment mapping: {@code KAFKA_SASL_MECHANISM} becomes {@code sasl.mechanism} (drop the
 * prefix, lower-case, underscores to dots). The launcher variables of Kafka's own scripts ({@code
 * KAFKA_HEAP_OPTS}, {@code KAFKA_OPTS}, ...) are not client properties and are ignored.
 */
public final class KafkaClientConfig {
  private static final String ENV_PREFIX = "KAFKA_";
  private static final Set<String> NOT_CLIENT_PROPERTIES =
      Set.of(
          "KAFKA_HEAP_OPTS",
          "KAFKA_OPTS",
          "KAFKA_JVM_PERFORMANCE_OPTS",
          "KAFKA_LOG4J_OPTS",
          "KAFKA_JMX_OPTS",
          "KAFKA_GC_LOG_OPTS",
          "KAFKA_DEBUG",
          "KAFKA_CONFIG");
  private static final Pattern SECRET =
      Pattern.compile("(?i).*(password|secret|jaas\\.config|\\.key$|credentials|token).*");

  private final Map<String, String> properties;

  private KafkaClientConfig(Map<String, String> properties) {
    this.properties = Collections.unmodifiableMap(new TreeMap<>(properties));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The client properties, ready to pass to a Kafka client constructor. */
  public Map<String, Object> asMap() {
    return Collections.unmodifiableMap(new TreeMap<String, Object>(properties));
  }

  /** A copy with {@code overrides} applied on top; the original is unchanged. */
  public Map<String, Object> with(Map<String, ?> overrides) {
    Map<String, Object> out = new TreeMap<>(properties);
    out.putAll(overrides);
    return out;
  }

  /**
   * The properties one client type should get: everything except properties that only other client
   * types know. One {@code --kafka-config} file typically serves every service, and Kafka warns
   * about each property a client does not recognise; unknown properties (plugin settings such as
   * interceptors') are kept.
   *
   * @param known the client's own config names, e.g. {@code ProducerConfig.configNames()}
   */
  public Map<String, Object> forClient(Set<String> known) {
    Map<String, Object> out = new TreeMap<>();
    properties.forEach(
        (key, value) -> {
          boolean otherClients =
              ProducerConfig.configNames().contains(key)
                  || ConsumerConfig.configNames().contains(key)
                  || AdminClientConfig.configNames().contains(key);
          if (known.contains(key) || !otherClients) {
            out.put(key, value);
          }
        });
    return out;
  }

  public String get(String key) {
    return properties.get(key);
  }

  public String bootstrapServers() {
    return properties.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
  }

  /** The properties with secret values masked, safe to log. */
  public Map<String, String> redacted() {
    return Redaction.properties(properties);
  }

  /** Whether a property's value must never be logged. */
  public static boolean isSecret(String key) {
    return SECRET.matcher(key).matches();
  }

  @Override
  public String toString() {
    return "KafkaClientConfig" + redacted();
  }

  /** Maps {@code KAFKA_*} variables to client properties. */
  public static Map<String, String> fromEnvironment(Map<String, String> env) {
    Map<String, String> out = new TreeMap<>();
    env.forEach(
        (name, value) -> {
          if (name.startsWith(ENV_PREFIX)
              && name.length() > ENV_PREFIX.length()
              && !NOT_CLIENT_PROPERTIES.contains(name)) {
            String key =
                name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
            out.put(key, value);
          }
        });
    return out;
  }

  /** Builds a config layer by layer; later calls override earlier ones. */
  public static final class Builder {
    private final Map<String, String> properties = new TreeMap<>();

    private Builder() {}

    /** Service defaults: the lowest layer. */
    public Builder defaults(Map<String, ?> defaults) {
      defaults.forEach((k, v) -> properties.put(k, String.valueOf(v)));
      return this;
    }

    /** A Java properties file; a missing or unreadable file is a {@link ConfigException}. */
    public Builder file(Path file) {
      properties.putAll(PropertiesFiles.load(file, "Kafka config file"));
      return this;
    }

    /** {@code KAFKA_*} variables from {@code env}. */
    public Builder environment(Map<String, String> env) {
      properties.putAll(fromEnvironment(env));
      return this;
    }

    /** One property from a flag; ignored when {@code value} is null (flag not given). */
    public Builder flag(String key, Object value) {
      if (value != null) {
        properties.put(key, String.valueOf(value));
      }
      return this;
    }

    public KafkaClientConfig build() {
      if (properties.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) == null) {
        throw new ConfigException(
            "no Kafka bootstrap servers: pass --bootstrap-servers, set"
                + " KAFKA_BOOTSTRAP_SERVERS, or put bootstrap.servers in --kafka-config");
      }
      return new KafkaClientConfig(properties);
    }
  }
}
