package dev.vaestream.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.AnnotatedMethod;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.util.Map;

/**
 * Parses rendered objects into their typed models, strictly: a field the model does not know fails.
 *
 * <p>fabric8's and Strimzi's models keep unknown fields in an {@code additionalProperties} map
 * through {@code @JsonAnySetter} rather than failing, so this mapper's introspector ignores every
 * any-setter and turns on {@code FAIL_ON_UNKNOWN_PROPERTIES}: a misspelt or misplaced field (say
 * {@code readinessprobe}, or {@code maxUnavailable} under the wrong key) is an error, as a strict
 * API server's field validation would make it.
 */
final class StrictYaml {
  /** Every kind the chart may render, by {@code apiVersion/kind}, with its model. */
  static final Map<String, Class<?>> MODELS =
      Map.ofEntries(
          Map.entry("v1/Service", Service.class),
          Map.entry("v1/ConfigMap", ConfigMap.class),
          Map.entry("v1/Secret", Secret.class),
          Map.entry("v1/ServiceAccount", ServiceAccount.class),
          Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
          Map.entry("apps/v1/Deployment", Deployment.class),
          Map.entry("apps/v1/StatefulSet", StatefulSet.class),
          Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
          Map.entry("monitoring.coreos.com/v1/PodMonitor", PodMonitor.class),
          Map.entry("monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class),
          Map.entry("kafka.strimzi.io/v1/KafkaTopic", KafkaTopic.class),
          Map.entry("kafka.strimzi.io/v1/KafkaUser", KafkaUser.class));

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static final ObjectMapper STRICT =
      new ObjectMapper()
          .setAnnotationIntrospector(new NoAnySetter())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

  private StrictYaml() {}

  /**
   * The typed model of {@code node}.
   *
   * @throws IllegalArgumentException for a kind without a model or a field the model lacks
   */
  static Object parse(JsonNode node) {
    String key = node.path("apiVersion").asText() + "/" + node.path("kind").asText();
    Class<?> type = MODELS.get(key);
    if (type == null) {
      throw new IllegalArgumentException("no strict model for " + key + ": add one to StrictYaml");
    }
    try {
      return STRICT.treeToValue(node, type);
    } catch (Exception e) {
      throw new IllegalArgumentException(
          key + " " + node.path("metadata").path("name").asText() + ": " + e.getMessage(), e);
    }
  }

  /** Jackson's annotations, less every {@code @JsonAnySetter}. */
  private static final class NoAnySetter extends JacksonAnnotationIntrospector {
    @Override
    public Boolean hasAnySetter(Annotated a) {
      return null;
    }

    @Override
    @SuppressWarnings("deprecation")
    public boolean hasAnySetterAnnotation(AnnotatedMethod am) {
      return false;
    }
  }
}
