package dev.vaestream.core.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * One line of the ACL table: the operations a role is allowed on one resource (a topic, a group, a
 * transactional id or the cluster, by literal name or by prefix), and why it needs them.
 *
 * @param resourceType what kind of resource
 * @param name its name, or the prefix when {@code patternType} is {@link PatternType#PREFIXED}
 * @param patternType {@link PatternType#LITERAL} or {@link PatternType#PREFIXED}
 * @param operations the allowed operations, in the order the table shows them
 * @param reason why the role needs them, one short sentence for the docs
 */
public record Grant(
    ResourceType resourceType,
    String name,
    PatternType patternType,
    List<AclOperation> operations,
    String reason) {

  public Grant {
    operations = List.copyOf(operations);
    if (operations.isEmpty()) {
      throw new IllegalArgumentException("a grant needs at least one operation");
    }
  }

  /** The grant's resource pattern, as Kafka's Admin API takes it. */
  public ResourcePattern pattern() {
    return new ResourcePattern(resourceType, name, patternType);
  }

  /** One ALLOW binding per operation for {@code principal} (e.g. {@code User:vae-trainer}). */
  public List<AclBinding> bindings(String principal) {
    List<AclBinding> out = new ArrayList<>();
    for (AclOperation op : operations) {
      out.add(
          new AclBinding(
              pattern(), new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
    }
    return out;
  }

  /**
   * The {@code kafka-acls} arguments after {@code --allow-principal P} that add this grant, e.g.
   * {@code --operation Read --operation Write --topic vae.checkpoints}.
   */
  public String kafkaAclsArguments() {
    StringBuilder sb = new StringBuilder();
    for (AclOperation op : operations) {
      sb.append("--operation ").append(operationName(op)).append(' ');
    }
    switch (resourceType) {
      case TOPIC -> sb.append("--topic ").append(name);
      case GROUP -> sb.append("--group ").append(name);
      case TRANSACTIONAL_ID -> sb.append("--transactional-id ").append(name);
      case CLUSTER -> sb.append("--cluster");
      default -> throw new IllegalStateException("no kafka-acls flag for " + resourceType);
    }
    if (patternType == PatternType.PREFIXED) {
      sb.append(" --resource-pattern-type prefixed");
    }
    return sb.toString();
  }

  /** The resource as the docs table shows it: {@code topic vae-scorer-stats-*}. */
  public String resourceLabel() {
    String type =
        switch (resourceType) {
          case TOPIC -> "topic";
          case GROUP -> "group";
          case TRANSACTIONAL_ID -> "transactional id";
          case CLUSTER -> "cluster";
          default -> resourceType.name().toLowerCase(Locale.ROOT);
        };
    String shown = patternType == PatternType.PREFIXED ? name + "*" : name;
    return resourceType == ResourceType.CLUSTER ? type : type + " `" + shown + "`";
  }

  /** {@code Read, Write}: the operations as {@code kafka-acls} spells them. */
  public String operationsLabel() {
    return String.join(", ", operations.stream().map(Grant::operationName).toList());
  }

  /** {@code IDEMPOTENT_WRITE} as {@code kafka-acls} spells it: {@code IdempotentWrite}. */
  static String operationName(AclOperation op) {
    StringBuilder sb = new StringBuilder();
    for (String part : op.name().split("_")) {
      sb.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
    }
    return sb.toString();
  }
}
