package dev.vaestream.app;

import dev.vaestream.core.cli.DurationConverter;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.JsonLine;
import dev.vaestream.core.cli.KafkaOptions;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.kafka.AccessFailures;
import dev.vaestream.core.kafka.Topics;
import dev.vaestream.core.security.AccessPolicy;
import dev.vaestream.core.security.Grant;
import dev.vaestream.core.security.ResourceNames;
import dev.vaestream.core.security.ServiceRole;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AclBinding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bin/vae-stream acls}: the least-privilege ACLs of each service ({@link AccessPolicy}), as
 * {@code kafka-acls} commands, as the docs' Markdown table, or applied to a cluster through the
 * Admin API. One source for the docs, the operator and the tests.
 */
@Command(
    name = "acls",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Print the least-privilege Kafka ACLs of each service as kafka-acls commands (default),"
          + " as a Markdown table (--format table), or create them on a cluster (--apply, as an"
          + " administrator: --kafka-config with a principal allowed to alter ACLs).",
      "Read, Write and Delete imply Describe. Topics are created by an administrator; add"
          + " --allow-topic-creation to let each service create its own missing output topics."
    })
public final class AclsCommand implements Callable<Integer> {
  /** Output forms. */
  enum Format {
    COMMANDS,
    TABLE
  }

  @Spec CommandSpec spec;
  @Mixin KafkaOptions kafka = new KafkaOptions();

  @Option(
      names = "--service",
      paramLabel = "NAME",
      split = ",",
      description = "Only these services: producer, trainer, scorer, scorer-stats (default: all).")
  List<String> services;

  @Option(
      names = "--principal",
      paramLabel = "SERVICE=PRINCIPAL",
      description =
          "The principal of a service, e.g. trainer=User:ml-trainer (defaults: User:vae-producer,"
              + " User:vae-trainer, User:vae-scorer for scorer and scorer-stats).")
  Map<String, String> principals = new LinkedHashMap<>();

  @Option(
      names = "--allow-topic-creation",
      description = "Also grant Create on each service's own output topics.")
  boolean allowTopicCreation;

  @Option(
      names = "--format",
      paramLabel = "commands|table",
      defaultValue = "commands",
      description = "What to print without --apply (default ${DEFAULT-VALUE}).")
  Format format;

  @Option(
      names = "--apply",
      description = "Create the ACLs through the Admin API instead of printing commands.")
  boolean apply;

  @Option(
      names = "--images-topic",
      defaultValue = Topics.IMAGES,
      description = "Names as the services' flags set them (default ${DEFAULT-VALUE}).")
  String imagesTopic;

  @Option(names = "--dlq-topic", defaultValue = Topics.IMAGES_DLQ)
  String dlqTopic;

  @Option(names = "--checkpoint-topic", defaultValue = Topics.CHECKPOINTS)
  String checkpointTopic;

  @Option(names = "--scores-topic", defaultValue = Topics.SCORES)
  String scoresTopic;

  @Option(names = "--stats-topic", defaultValue = Topics.STATS)
  String statsTopic;

  @Option(names = "--trainer-group-id", defaultValue = ResourceNames.DEFAULT_TRAINER_ID)
  String trainerGroupId;

  @Option(names = "--trainer-transactional-id", defaultValue = ResourceNames.DEFAULT_TRAINER_ID)
  String trainerTransactionalId;

  @Option(
      names = "--scorer-group-id",
      defaultValue = ResourceNames.DEFAULT_SCORER_GROUP_ID,
      description = "The scorer's --group-id; its transactional ids are <group>-<instance>.")
  String scorerGroupId;

  @Option(
      names = "--stats-application-id",
      description = "The scorer's --stats-application-id (default: <scorer-group-id>-stats).")
  String statsApplicationId;

  @Override
  public Integer call() {
    ResourceNames names = names();
    Map<ServiceRole, String> chosen = chosenPrincipals();
    if (apply) {
      return apply(names, chosen);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (format == Format.TABLE) {
      out.print(table(names, chosen, allowTopicCreation));
    } else {
      out.print(commands(names, chosen));
    }
    out.flush();
    return ExitCodes.OK;
  }

  /** The resource names the flags describe. */
  ResourceNames names() {
    try {
      return new ResourceNames(
          imagesTopic,
          dlqTopic,
          checkpointTopic,
          scoresTopic,
          statsTopic,
          trainerGroupId,
          trainerTransactionalId,
          scorerGroupId,
          statsApplicationId != null ? statsApplicationId : scorerGroupId + "-stats");
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage());
    }
  }

  /** The roles to print, each with its principal. */
  Map<ServiceRole, String> chosenPrincipals() {
    Map<ServiceRole, String> byRole = new EnumMap<>(ServiceRole.class);
    for (ServiceRole role : ServiceRole.values()) {
      byRole.put(role, role.defaultPrincipal());
    }
    try {
      principals.forEach(
          (service, principal) -> {
            if (!principal.matches("[A-Za-z]+:.+")) {
              throw new IllegalArgumentException(
                  "--principal " + service + "=" + principal + ": expected TYPE:NAME, e.g. User:x");
            }
            byRole.put(ServiceRole.fromWireName(service), principal);
          });
      if (services != null && !services.isEmpty()) {
        Map<ServiceRole, String> only = new EnumMap<>(ServiceRole.class);
        for (String s : services) {
          ServiceRole role = ServiceRole.fromWireName(s);
          only.put(role, byRole.get(role));
        }
        return only;
      }
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage());
    }
    return byRole;
  }

  private List<Grant> grantsOf(ServiceRole role, ResourceNames names) {
    List<Grant> grants = new ArrayList<>(AccessPolicy.grants(role, names));
    if (allowTopicCreation) {
      grants.addAll(AccessPolicy.topicCreation(role, names));
    }
    return grants;
  }

  private String commands(ResourceNames names, Map<ServiceRole, String> chosen) {
    String servers = kafka.bootstrapServers() != null ? kafka.bootstrapServers() : "$BOOTSTRAP";
    StringBuilder sb = new StringBuilder();
    sb.append("# Least-privilege ACLs of vae-stream (bin/vae-stream acls). Run as a Kafka")
        .append(" administrator;\n# admin.properties holds the administrator's client settings.\n");
    chosen.forEach(
        (role, principal) -> {
          sb.append("\n# ").append(role.wireName()).append(" (").append(principal).append(")\n");
          for (Grant g : grantsOf(role, names)) {
            sb.append("kafka-acls.sh --bootstrap-server ")
                .append(servers)
                .append(" --command-config admin.properties --add --allow-principal ")
                .append(principal)
                .append(' ')
                .append(g.kafkaAclsArguments())
                .append('\n');
          }
        });
    return sb.toString();
  }

  /**
   * The Markdown table of docs/security.md: one row per grant.
   *
   * @param withCreation whether to add the optional Create grants
   */
  static String table(ResourceNames names, Map<ServiceRole, String> chosen, boolean withCreation) {
    StringBuilder sb = new StringBuilder();
    sb.append("| service | principal | resource | operations | why |\n");
    sb.append("|---|---|---|---|---|\n");
    chosen.forEach(
        (role, principal) -> {
          List<Grant> grants = new ArrayList<>(AccessPolicy.grants(role, names));
          if (withCreation) {
            grants.addAll(AccessPolicy.topicCreation(role, names));
          }
          for (Grant g : grants) {
            sb.append("| ")
                .append(role.wireName())
                .append(" | `")
                .append(principal)
                .append("` | ")
                .append(g.resourceLabel())
                .append(" | ")
                .append(g.operationsLabel())
                .append(" | ")
                .append(g.reason())
                .append(" |\n");
          }
        });
    return sb.toString();
  }

  private int apply(ResourceNames names, Map<ServiceRole, String> chosen) {
    List<AclBinding> bindings = new ArrayList<>();
    chosen.forEach(
        (role, principal) -> {
          for (Grant g : grantsOf(role, names)) {
            bindings.addAll(g.bindings(principal));
          }
        });
    // --connect-timeout (and its deprecated --connect-timeout-seconds) come from KafkaOptions.
    long timeoutMs = Math.min(Integer.MAX_VALUE, kafka.connectTimeout().toMillis());
    Map<String, Object> props =
        kafka
            .clientConfig(Map.of())
            .with(
                Map.of(
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                    (int) timeoutMs,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                    (int) Math.min(15_000, timeoutMs),
                    AdminClientConfig.CLIENT_ID_CONFIG,
                    "vae-stream-acls"));
    String servers = String.valueOf(props.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
    try (Admin admin = Admin.create(props)) {
      admin.createAcls(bindings).all().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw AccessFailures.of(e.getCause(), servers, "create ACLs")
          .orElseGet(
              () ->
                  new UserException(
                      "cannot create ACLs on Kafka at " + servers + ": " + e.getCause(),
                      ExitCodes.FAILURE,
                      e.getCause()));
    } catch (TimeoutException e) {
      throw new UserException(
          "cannot create ACLs: no answer from Kafka at "
              + servers
              + " within "
              + DurationConverter.format(Duration.ofMillis(timeoutMs))
              + " (--connect-timeout)",
          ExitCodes.FAILURE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserException("interrupted while creating ACLs", ExitCodes.FAILURE);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("acls_created", bindings.size());
    Map<String, String> who = new LinkedHashMap<>();
    chosen.forEach((role, principal) -> who.put(role.wireName(), principal));
    result.put("principals", who);
    PrintWriter out = spec.commandLine().getOut();
    out.println(JsonLine.of(result));
    out.flush();
    return ExitCodes.OK;
  }
}
