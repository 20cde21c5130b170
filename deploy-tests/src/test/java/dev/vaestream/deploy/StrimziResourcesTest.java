package dev.vaestream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.kafka.TopicDefinition;
import dev.vaestream.core.security.AccessPolicy;
import dev.vaestream.core.security.ServiceRole;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserAuthorizationSimple;
import io.strimzi.api.kafka.model.user.acl.AclResourcePatternType;
import io.strimzi.api.kafka.model.user.acl.AclRule;
import io.strimzi.api.kafka.model.user.acl.AclRuleGroupResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTransactionalIdResource;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.resource.PatternType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Strimzi resources say what the code says: the topics' partitions and configs ({@link
 * TopicsInCode}), and each KafkaUser's ACLs exactly the least-privilege grants of {@link
 * AccessPolicy} for its service.
 */
class StrimziResourcesTest {
  static List<String> valueSets() {
    return Chart.valueSetNames();
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void topicsHaveThePartitionsAndConfigsOfTheCode(String valueSet) {
    Rendered r = Chart.valueSet(valueSet);
    int inputPartitions = valueSet.equals("defaults") ? 3 : 12;
    Map<String, TopicDefinition> rendered = new TreeMap<>();
    for (KafkaTopic t : r.all(KafkaTopic.class)) {
      Map<String, String> configs = new TreeMap<>();
      if (t.getSpec().getConfig() != null) {
        t.getSpec().getConfig().forEach((k, v) -> configs.put(k, String.valueOf(v)));
      }
      String name =
          t.getSpec().getTopicName() != null
              ? t.getSpec().getTopicName()
              : t.getMetadata().getName();
      rendered.put(
          name,
          new TopicDefinition(
              name, t.getSpec().getPartitions(), t.getSpec().getReplicas().shortValue(), configs));
      assertThat(t.getMetadata().getLabels()).containsEntry("strimzi.io/cluster", "my-cluster");
      // helm uninstall must not delete the topics (and with them the model on vae.checkpoints).
      assertThat(t.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
    }
    Map<String, TopicDefinition> expected = new TreeMap<>();
    for (TopicDefinition t : TopicsInCode.expected(inputPartitions, 3)) {
      expected.put(t.name(), t);
    }
    assertThat(rendered).isEqualTo(expected);
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void scorersNeverOutnumberTheInputPartitions(String valueSet) {
    Rendered r = Chart.valueSet(valueSet);
    int partitions =
        r.all(KafkaTopic.class).stream()
            .filter(t -> t.getMetadata().getName().equals("mnist.images"))
            .findFirst()
            .orElseThrow()
            .getSpec()
            .getPartitions();
    int scorers =
        r.one(io.fabric8.kubernetes.api.model.apps.StatefulSet.class, "-scorer")
            .getSpec()
            .getReplicas();
    assertThat(scorers).isBetween(1, partitions);
  }

  @org.junit.jupiter.api.Test
  void theChartUsesAnApiVersionStrimziServes() {
    // kafka.strimzi.io/v1: served from Strimzi 0.49 on, the only version from Strimzi 1.0 on.
    assertThat(KafkaTopic.VERSIONS).contains("v1");
    assertThat(KafkaUser.VERSIONS).contains("v1");
    Rendered r = Chart.valueSet("scaled-out");
    assertThat(r.objects())
        .filteredOn(o -> o.kind().startsWith("Kafka"))
        .allSatisfy(
            o -> assertThat(o.yaml().path("apiVersion").asText()).isEqualTo("kafka.strimzi.io/v1"));
  }

  @org.junit.jupiter.api.Test
  void eachKafkaUserHasExactlyItsServicesGrants() {
    Rendered r = Chart.valueSet("scaled-out");
    Map<String, List<ServiceRole>> roles =
        Map.of(
            "vae-producer", List.of(ServiceRole.PRODUCER),
            "vae-trainer", List.of(ServiceRole.TRAINER),
            // The statistics stream runs inside the scorer, with the scorer's user.
            "vae-scorer", List.of(ServiceRole.SCORER, ServiceRole.SCORER_STATS));
    assertThat(r.all(KafkaUser.class)).hasSize(3);
    for (KafkaUser user : r.all(KafkaUser.class)) {
      String name = user.getMetadata().getName();
      String principal = "User:" + name;
      Set<String> expected = new HashSet<>();
      for (ServiceRole role : roles.get(name)) {
        assertThat(role.defaultUser()).isEqualTo(name);
        for (AclBinding b : AccessPolicy.forService(role, principal)) {
          expected.add(key(b));
        }
      }
      assertThat(user.getSpec().getAuthentication().getType()).isEqualTo("scram-sha-512");
      KafkaUserAuthorizationSimple authz =
          (KafkaUserAuthorizationSimple) user.getSpec().getAuthorization();
      Set<String> actual = new HashSet<>();
      for (AclRule rule : authz.getAcls()) {
        assertThat(rule.getHost()).isEqualTo("*");
        for (var op : rule.getOperations()) {
          actual.add(key(rule, op.toValue()));
        }
      }
      assertThat(actual).as(name).isEqualTo(expected);
    }
  }

  /** {@code TOPIC mnist.images LITERAL READ} from the code's binding. */
  private static String key(AclBinding b) {
    return String.join(
        " ",
        b.pattern().resourceType().name(),
        b.pattern().name(),
        b.pattern().patternType().name(),
        b.entry().operation().name());
  }

  /** The same key from a Strimzi rule. */
  private static String key(AclRule rule, String operation) {
    String type;
    String name;
    AclResourcePatternType pattern;
    if (rule.getResource() instanceof AclRuleTopicResource t) {
      type = "TOPIC";
      name = t.getName();
      pattern = t.getPatternType();
    } else if (rule.getResource() instanceof AclRuleGroupResource g) {
      type = "GROUP";
      name = g.getName();
      pattern = g.getPatternType();
    } else if (rule.getResource() instanceof AclRuleTransactionalIdResource x) {
      type = "TRANSACTIONAL_ID";
      name = x.getName();
      pattern = x.getPatternType();
    } else {
      throw new AssertionError("unexpected ACL resource " + rule.getResource());
    }
    PatternType kafkaPattern =
        pattern == AclResourcePatternType.PREFIX ? PatternType.PREFIXED : PatternType.LITERAL;
    String op = operation.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    return String.join(" ", type, name, kafkaPattern.name(), op);
  }

  static Set<String> names(List<KafkaTopic> topics) {
    return topics.stream().map(t -> t.getMetadata().getName()).collect(Collectors.toSet());
  }
}
