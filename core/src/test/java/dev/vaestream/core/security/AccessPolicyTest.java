package dev.vaestream.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
  private static final ResourceNames NAMES = ResourceNames.defaults();

  private static List<Grant> all() {
    List<Grant> all = new ArrayList<>();
    for (ServiceRole role : ServiceRole.values()) {
      all.addAll(AccessPolicy.grants(role, NAMES));
    }
    return all;
  }

  @Test
  void onlyTheTrainerMayWriteCheckpoints() {
    for (ServiceRole role : ServiceRole.values()) {
      boolean writes =
          AccessPolicy.grants(role, NAMES).stream()
              .anyMatch(
                  g ->
                      g.resourceType() == ResourceType.TOPIC
                          && g.name().equals("vae.checkpoints")
                          && g.operations().contains(AclOperation.WRITE));
      assertThat(writes).as(role.name()).isEqualTo(role == ServiceRole.TRAINER);
    }
  }

  @Test
  void theProducerOnlyWritesImages() {
    assertThat(AccessPolicy.grants(ServiceRole.PRODUCER, NAMES))
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.name()).isEqualTo("mnist.images");
              assertThat(g.operations()).containsExactly(AclOperation.WRITE);
            });
  }

  @Test
  void noGrantIsClusterWideOrAWildcardOrAnAdministrativeOperation() {
    for (Grant g : all()) {
      assertThat(g.resourceType()).isNotEqualTo(ResourceType.CLUSTER);
      assertThat(g.name()).isNotEqualTo("*").isNotBlank();
      assertThat(g.operations())
          .doesNotContain(
              AclOperation.ALL,
              AclOperation.ALTER,
              AclOperation.ALTER_CONFIGS,
              AclOperation.CLUSTER_ACTION,
              AclOperation.IDEMPOTENT_WRITE);
    }
  }

  @Test
  void createAndDeleteOnlyOnTheStatisticsInternalTopics() {
    for (Grant g : all()) {
      if (g.operations().contains(AclOperation.CREATE)
          || g.operations().contains(AclOperation.DELETE)) {
        assertThat(g.name()).isEqualTo("vae-scorer-stats-");
        assertThat(g.patternType()).isEqualTo(PatternType.PREFIXED);
      }
    }
  }

  @Test
  void prefixesFollowTheServicesNaming() {
    ResourceNames names = new ResourceNames("i", "d", "c", "s", "st", "tg", "tt", "sg", "app");
    assertThat(AccessPolicy.grants(ServiceRole.SCORER, names))
        .anyMatch(
            g ->
                g.resourceType() == ResourceType.TRANSACTIONAL_ID
                    && g.name().equals("sg-")
                    && g.patternType() == PatternType.PREFIXED);
    assertThat(AccessPolicy.grants(ServiceRole.SCORER_STATS, names))
        .anyMatch(g -> g.resourceType() == ResourceType.GROUP && g.name().equals("app"))
        .anyMatch(g -> g.resourceType() == ResourceType.TOPIC && g.name().equals("app-"));
  }

  @Test
  void aSuffixedTrainerGetsTheTrainerGrantsOnItsOwnNamesAndNoneOnTheFirstTrainers() {
    ResourceNames reference = NAMES.withTrainerSuffix(".reference");
    List<String> names =
        AccessPolicy.grants(ServiceRole.TRAINER, reference).stream()
            .map(g -> g.resourceType() + " " + g.name() + " " + g.operations())
            .toList();
    assertThat(names)
        .containsExactly(
            "TOPIC mnist.images [READ]",
            "GROUP vae-trainer.reference [READ]",
            "TOPIC vae.checkpoints.reference [READ, WRITE]",
            "TOPIC mnist.images.dlq.reference [WRITE]",
            "TOPIC vae.events.reference [WRITE]",
            "TRANSACTIONAL_ID vae-trainer.reference [WRITE]");
    assertThat(AccessPolicy.grants(ServiceRole.TRAINER, reference))
        .noneMatch(
            g ->
                List.of("vae.checkpoints", "mnist.images.dlq", "vae.events", "vae-trainer")
                    .contains(g.name()));
  }

  @Test
  void bindingsAreAllowEntriesOneOperationEach() {
    List<AclBinding> bindings = AccessPolicy.forService(ServiceRole.TRAINER, "User:t");
    int operations =
        AccessPolicy.grants(ServiceRole.TRAINER).stream()
            .mapToInt(g -> g.operations().size())
            .sum();
    assertThat(bindings).hasSize(operations);
    assertThat(bindings)
        .allSatisfy(
            b -> {
              assertThat(b.entry().principal()).isEqualTo("User:t");
              assertThat(b.entry().permissionType()).isEqualTo(AclPermissionType.ALLOW);
              assertThat(b.entry().host()).isEqualTo("*");
            });
  }

  @Test
  void topicCreationGrantsCreateOnOwnOutputTopicsOnly() {
    assertThat(AccessPolicy.topicCreation(ServiceRole.TRAINER, NAMES))
        .extracting(Grant::name)
        .containsExactly("vae.checkpoints", "mnist.images.dlq", "vae.events");
    assertThat(AccessPolicy.topicCreation(ServiceRole.TRAINER, NAMES))
        .allSatisfy(g -> assertThat(g.operations()).containsExactly(AclOperation.CREATE));
  }

  @Test
  void kafkaAclsArgumentsSpellOperationsAndPatternsAsTheToolDoes() {
    Grant g =
        new Grant(
            ResourceType.TRANSACTIONAL_ID,
            "vae-scorer-",
            PatternType.PREFIXED,
            List.of(AclOperation.WRITE, AclOperation.IDEMPOTENT_WRITE),
            "why");
    assertThat(g.kafkaAclsArguments())
        .isEqualTo(
            "--operation Write --operation IdempotentWrite --transactional-id vae-scorer-"
                + " --resource-pattern-type prefixed");
    assertThat(g.resourceLabel()).isEqualTo("transactional id `vae-scorer-*`");
  }
}
