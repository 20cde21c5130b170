package dev.vaestream.core.security;

import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DELETE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.PatternType.PREFIXED;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;

/**
 * The least-privilege ACLs of every vae-stream service, written down once. The docs' ACL table,
 * {@code bin/vae-stream acls} (kafka-acls commands, or applied through the Admin API), the Helm
 * chart's Strimzi {@code KafkaUser} resources and the secured-broker tests all read them from here.
 *
 * <p>What "least" means, and the Kafka rules it relies on:
 *
 * <ul>
 *   <li>Read, Write and Delete each imply Describe on the same resource, so Describe is never
 *       listed separately (metadata, offsets, FindCoordinator need only Describe).
 *   <li>A transactional producer needs Write on its transactional id (InitProducerId,
 *       AddPartitions, EndTxn) and Write on the topics it sends to; sending consumed offsets in the
 *       transaction needs Read on the group. It needs no IdempotentWrite on the cluster: since
 *       Kafka 3.0 (KIP-679) an idempotent producer is also allowed by Write on any topic, and a
 *       transactional one is authorised by its transactional id.
 *   <li>The services do not create their topics here: an administrator (or Strimzi's topic
 *       operator) does, and a service that finds its topics in place never asks for Create. {@link
 *       #topicCreation} lists the extra Create grants for clusters where the services should create
 *       their own output topics. The one Create always granted is on the statistics stream's own
 *       internal topics, whose names are Kafka Streams' business.
 * </ul>
 *
 * <p>Nothing here is a cluster-wide permission: no role may create or delete arbitrary topics,
 * alter configs or ACLs, and no role other than the trainer may write {@code vae.checkpoints}.
 */
public final class AccessPolicy {
  private AccessPolicy() {}

  /** The grants {@code role} needs for its normal work, with the default resource names. */
  public static List<Grant> grants(ServiceRole role) {
    return grants(role, ResourceNames.defaults());
  }

  /** The grants {@code role} needs for its normal work on the resources called {@code names}. */
  public static List<Grant> grants(ServiceRole role, ResourceNames names) {
    List<Grant> g = new ArrayList<>();
    switch (role) {
      case PRODUCER -> g.add(topic(names.imagesTopic(), "send the images", WRITE));
      case TRAINER -> {
        g.add(topic(names.imagesTopic(), "learn from the images", READ));
        g.add(group(names.trainerGroupId(), "consume as a group; commit offsets in transactions"));
        g.add(
            topic(
                names.checkpointsTopic(),
                "publish checkpoints; read them back to resume at start-up",
                READ,
                WRITE));
        g.add(topic(names.dlqTopic(), "dead-letter invalid images", WRITE));
        g.add(topic(names.eventsTopic(), "publish drift events with their checkpoints", WRITE));
        g.add(
            new Grant(
                TRANSACTIONAL_ID,
                names.trainerTransactionalId(),
                LITERAL,
                List.of(WRITE),
                "checkpoint and input offsets in one transaction"));
      }
      case SCORER -> {
        g.add(topic(names.imagesTopic(), "score the images", READ));
        g.add(group(names.scorerGroupId(), "consume as a group; commit offsets in transactions"));
        g.add(topic(names.checkpointsTopic(), "follow the trainer's checkpoints", READ));
        g.add(topic(names.scoresTopic(), "write one score per image", WRITE));
        g.add(topic(names.dlqTopic(), "dead-letter invalid images", WRITE));
        g.add(
            topic(
                names.statsPartialsTopic(),
                "write each transaction's partial statistics with its scores",
                WRITE));
        g.add(
            new Grant(
                TRANSACTIONAL_ID,
                names.scorerTransactionalIdPrefix(),
                PREFIXED,
                List.of(WRITE),
                "scores and input offsets in one transaction; one id per instance"));
      }
      case SCORER_STATS -> {
        String app = names.statsApplicationId();
        g.add(topic(names.statsTopic(), "write closed windows", WRITE));
        g.add(group(app, "the Streams application's consumer group"));
        g.add(
            new Grant(
                TOPIC,
                names.statsInternalPrefix(),
                PREFIXED,
                List.of(CREATE, READ, WRITE, DELETE),
                "Kafka Streams creates, uses and purges its changelog topics; reads the scorers'"
                    + " partial statistics"));
        g.add(
            new Grant(
                TRANSACTIONAL_ID,
                names.statsInternalPrefix(),
                PREFIXED,
                List.of(WRITE),
                "exactly-once v2: one transactional id per stream thread"));
      }
      default -> throw new IllegalStateException("no grants for " + role);
    }
    return List.copyOf(g);
  }

  /**
   * The extra grants for a cluster where {@code role} creates its own missing output topics at
   * start-up (the services' behaviour on an open cluster): Create on exactly those topics. The
   * statistics topic is the statistics role's: the scorer looks it up and creates it with the
   * statistics' credentials ({@code --stats-config}), which are the scorer's unless given.
   */
  public static List<Grant> topicCreation(ServiceRole role, ResourceNames names) {
    return switch (role) {
      case PRODUCER -> List.of(create(names.imagesTopic()));
      case TRAINER ->
          List.of(
              create(names.checkpointsTopic()),
              create(names.dlqTopic()),
              create(names.eventsTopic()));
      case SCORER ->
          List.of(
              create(names.scoresTopic()),
              create(names.dlqTopic()),
              create(names.statsPartialsTopic()));
      case SCORER_STATS -> List.of(create(names.statsTopic()));
    };
  }

  /**
   * The ACL bindings that give {@code principal} the grants of {@code role}: what {@code
   * Admin.createAcls} takes, and what a Strimzi {@code KafkaUser}'s {@code authorization.acls}
   * lists.
   *
   * @param principal e.g. {@code User:vae-trainer}
   */
  public static List<AclBinding> forService(
      ServiceRole role, String principal, ResourceNames names) {
    List<AclBinding> out = new ArrayList<>();
    for (Grant grant : grants(role, names)) {
      out.addAll(grant.bindings(principal));
    }
    return List.copyOf(out);
  }

  /** {@link #forService(ServiceRole, String, ResourceNames)} with the default names. */
  public static List<AclBinding> forService(ServiceRole role, String principal) {
    return forService(role, principal, ResourceNames.defaults());
  }

  private static Grant topic(String name, String reason, AclOperation... ops) {
    return new Grant(TOPIC, name, LITERAL, List.of(ops), reason);
  }

  private static Grant group(String name, String reason) {
    return new Grant(GROUP, name, LITERAL, List.of(READ), reason);
  }

  private static Grant create(String topic) {
    return new Grant(TOPIC, topic, LITERAL, List.of(CREATE), "create the topic when missing");
  }
}
