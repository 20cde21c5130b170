package dev.vaestream.core.kafka;

import dev.vaestream.core.cli.Causes;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way the pipeline creates and verifies its topics, through the Admin API (it never relies
 * on broker auto-creation, which uses the broker's defaults and is off on most clusters).
 *
 * <p>{@link #ensure} creates a missing topic exactly as its {@link TopicDefinition} says, or checks
 * an existing one and reports every setting that differs (partitions, replication factor, each
 * defined config) in a {@link TopicReport}; {@link #verify} only checks. An existing topic with
 * other settings is the operator's decision and is used as it is, with one exception: a {@code
 * min.insync.replicas} above the replication factor makes every {@code acks=all} send fail, so
 * {@link #ensure} refuses it.
 *
 * <p>One retry clock: every call has the whole {@code timeout} (the services' {@code
 * --connect-timeout}), shared by all the admin requests it makes, and retries only the moment after
 * creation when the answering broker does not know the topic yet. One exit-code mapping for every
 * failure: bad credentials, missing ACLs, an impossible replication factor or config are {@link
 * ExitCodes#USAGE} (2), no answer in time and other broker errors {@link ExitCodes#FAILURE} (1),
 * each with a message that names the topic and the cluster.
 */
public final class TopicSetup implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);
  private static final long RETRY_MS = 100;

  private final Admin admin;
  private final boolean ownsAdmin;
  private final String bootstrapServers;
  private final Duration timeout;
  private int brokers = -1;

  /**
   * Uses {@code admin} (not closed by {@link #close()}).
   *
   * @param bootstrapServers named in error messages
   * @param timeout the time each call may take, including the first connection
   */
  public TopicSetup(Admin admin, String bootstrapServers, Duration timeout) {
    this(admin, false, bootstrapServers, timeout);
  }

  private TopicSetup(Admin admin, boolean ownsAdmin, String bootstrapServers, Duration timeout) {
    this.admin = Objects.requireNonNull(admin);
    this.ownsAdmin = ownsAdmin;
    this.bootstrapServers = bootstrapServers;
    this.timeout = requirePositive(timeout);
  }

  /**
   * Opens an admin client with {@code adminProperties} whose own timeouts follow {@code timeout}
   * (so that closing it after an unreachable cluster does not wait for its default minute).
   *
   * @throws UserException (exit 2) when the properties are not a valid client configuration
   */
  public static TopicSetup open(Map<String, Object> adminProperties, Duration timeout) {
    requirePositive(timeout);
    Map<String, Object> props = new HashMap<>(adminProperties);
    int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
    Object servers = props.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
    Admin admin;
    try {
      admin = Admin.create(props);
    } catch (KafkaException e) {
      throw new UserException(
          "invalid Kafka client configuration: " + rootMessage(e), ExitCodes.USAGE, e);
    }
    return new TopicSetup(admin, true, String.valueOf(servers), timeout);
  }

  private static Duration requirePositive(Duration timeout) {
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("the topic setup timeout must be positive: " + timeout);
    }
    return timeout;
  }

  /**
   * Fails fast with a clear message if the cluster cannot be reached within the timeout.
   *
   * @return the number of brokers
   */
  public int checkConnection() {
    Collection<Node> nodes =
        await(admin.describeCluster().nodes(), deadline(), "connect to the cluster");
    log.info("Connected to Kafka at {} ({} broker(s))", bootstrapServers, nodes.size());
    return nodes.size();
  }

  /** {@link #ensure(TopicDefinition)} for each definition, in order. */
  public List<TopicReport> ensure(List<TopicDefinition> definitions) {
    List<TopicReport> reports = new ArrayList<>();
    for (TopicDefinition d : definitions) {
      reports.add(ensure(d));
    }
    return reports;
  }

  /**
   * Creates the topic if it is missing, or checks it if it exists.
   *
   * @throws UserException if the topic can neither be created nor used
   */
  public TopicReport ensure(TopicDefinition wanted) {
    long deadline = deadline();
    TopicDescription existing = describe(wanted.name(), deadline);
    TopicReport.Outcome outcome = TopicReport.Outcome.EXISTS;
    if (existing == null) {
      if (create(wanted, deadline)) {
        outcome = TopicReport.Outcome.CREATED;
      }
      existing = awaitDescription(wanted.name(), deadline);
    }
    Checked checked = compare(wanted, outcome, existing, deadline);
    TopicReport report = checked.report();
    int minInSync = checked.minInSyncReplicas();
    if (minInSync > report.replicationFactor()) {
      throw new UserException(
          "topic "
              + wanted.name()
              + " has "
              + TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG
              + "="
              + minInSync
              + " but only "
              + report.replicationFactor()
              + " replica(s): every acks=all send would fail; lower "
              + TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG
              + " or add replicas",
          ExitCodes.USAGE);
    }
    return report;
  }

  /** Checks the topic without creating it; a missing topic is reported, not an error. */
  public TopicReport verify(TopicDefinition wanted) {
    long deadline = deadline();
    TopicDescription existing = describe(wanted.name(), deadline);
    if (existing == null) {
      return new TopicReport(
          wanted,
          TopicReport.Outcome.MISSING,
          0,
          0,
          List.of("topic " + wanted.name() + " is missing"),
          null);
    }
    Checked checked = compare(wanted, TopicReport.Outcome.EXISTS, existing, deadline);
    TopicReport report = checked.report();
    if (checked.minInSyncReplicas() > report.replicationFactor()) {
      List<String> differences = new ArrayList<>(report.differences());
      differences.add(
          "topic "
              + wanted.name()
              + ": "
              + TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG
              + " is "
              + checked.minInSyncReplicas()
              + ", above its "
              + report.replicationFactor()
              + " replica(s): every acks=all send would fail");
      return new TopicReport(
          wanted,
          report.outcome(),
          report.partitions(),
          report.replicationFactor(),
          differences,
          report.configsUnchecked(),
          report.warnings());
    }
    return report;
  }

  /** The topic's partition count, or empty when it does not exist. */
  public OptionalInt partitions(String topic) {
    TopicDescription d = describe(topic, deadline());
    return d == null ? OptionalInt.empty() : OptionalInt.of(d.partitions().size());
  }

  /** A report and the topic's {@code min.insync.replicas} (0 when unknown). */
  private record Checked(TopicReport report, int minInSyncReplicas) {}

  private Checked compare(
      TopicDefinition wanted, TopicReport.Outcome outcome, TopicDescription actual, long deadline) {
    int partitions = actual.partitions().size();
    int replicas = replicationFactorOf(actual);
    Config config = describeConfigs(wanted.name(), deadline);
    List<String> differences = TopicDifferences.of(wanted, partitions, replicas, config);
    int minInSyncReplicas = TopicDifferences.minInSyncReplicas(config);
    String unchecked =
        config == null ? "not authorized to describe them (the DescribeConfigs ACL)" : null;
    List<String> warnings =
        TopicDifferences.durabilityWarnings(
            wanted.name(),
            brokerCount(deadline),
            replicas,
            config == null ? -1 : minInSyncReplicas);
    return new Checked(
        new TopicReport(wanted, outcome, partitions, replicas, differences, unchecked, warnings),
        minInSyncReplicas);
  }

  /** The cluster's broker count, asked once (0 when it cannot be read in time). */
  private synchronized int brokerCount(long deadline) {
    if (brokers < 0) {
      try {
        brokers =
            admin
                .describeCluster()
                .nodes()
                .get(remainingMs(deadline), TimeUnit.MILLISECONDS)
                .size();
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        log.debug("Cannot count the brokers: {}", e.toString());
        return 0;
      } catch (InterruptedException e) {
        throw interrupted("count the brokers");
      }
    }
    return brokers;
  }

  /** The topic's configs, or null when describing them is not authorized. */
  private Config describeConfigs(String topic, long deadline) {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    try {
      return admin
          .describeConfigs(List.of(resource))
          .all()
          .get(remainingMs(deadline), TimeUnit.MILLISECONDS)
          .get(resource);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AuthorizationException) {
        log.debug("Cannot describe the configs of topic {}: {}", topic, e.getCause().toString());
        return null;
      }
      throw translate(e.getCause(), "describe the configs of topic " + topic);
    } catch (java.util.concurrent.TimeoutException e) {
      throw timedOut("describe the configs of topic " + topic);
    } catch (InterruptedException e) {
      throw interrupted("describe topic " + topic);
    }
  }

  /** The topic's description, or null when the cluster does not know it. */
  private TopicDescription describe(String topic, long deadline) {
    try {
      return admin
          .describeTopics(Set.of(topic))
          .allTopicNames()
          .get(remainingMs(deadline), TimeUnit.MILLISECONDS)
          .get(topic);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return null;
      }
      throw translate(e.getCause(), "describe topic " + topic);
    } catch (java.util.concurrent.TimeoutException e) {
      throw timedOut("describe topic " + topic);
    } catch (InterruptedException e) {
      throw interrupted("describe topic " + topic);
    }
  }

  /**
   * Describes a topic that was just created. Creation returns once the controller has it; the
   * broker that answers may learn of it a moment later and meanwhile reports it unknown.
   */
  private TopicDescription awaitDescription(String topic, long deadline) {
    while (true) {
      TopicDescription description = describe(topic, deadline);
      if (description != null) {
        return description;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new UserException(
            "topic "
                + topic
                + " was created but is still unknown to Kafka at "
                + bootstrapServers
                + " after "
                + seconds(timeout)
                + "; check the cluster's logs",
            ExitCodes.FAILURE);
      }
      try {
        Thread.sleep(RETRY_MS);
      } catch (InterruptedException e) {
        throw interrupted("wait for topic " + topic);
      }
    }
  }

  /** Creates the topic; false if another client created it first. */
  private boolean create(TopicDefinition wanted, long deadline) {
    NewTopic newTopic =
        new NewTopic(wanted.name(), wanted.partitions(), wanted.replicationFactor())
            .configs(wanted.configs());
    try {
      admin.createTopics(List.of(newTopic)).all().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        log.info("Topic {} was created concurrently by another client", wanted.name());
        return false;
      }
      if (e.getCause() instanceof TopicAuthorizationException) {
        throw new UserException(
            "topic "
                + wanted.name()
                + " does not exist and this service's principal may not create it: create"
                + " it as an administrator (bin/vae-stream topics --create), or grant Create on it"
                + " (bin/vae-stream acls --allow-topic-creation)",
            ExitCodes.USAGE,
            e.getCause());
      }
      if (e.getCause() instanceof InvalidReplicationFactorException) {
        throw new UserException(
            "cannot create topic "
                + wanted.name()
                + " with replication factor "
                + wanted.replicationFactor()
                + " (--replication-factor): "
                + e.getCause().getMessage(),
            ExitCodes.USAGE);
      }
      throw translate(e.getCause(), "create topic " + wanted.name());
    } catch (java.util.concurrent.TimeoutException e) {
      throw timedOut("create topic " + wanted.name());
    } catch (InterruptedException e) {
      throw interrupted("create topic " + wanted.name());
    }
  }

  private static int replicationFactorOf(TopicDescription description) {
    int min = Integer.MAX_VALUE;
    for (TopicPartitionInfo partition : description.partitions()) {
      min = Math.min(min, partition.replicas().size());
    }
    return min == Integer.MAX_VALUE ? 0 : min;
  }

  private long deadline() {
    return System.nanoTime() + timeout.toNanos();
  }

  private static long remainingMs(long deadline) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }

  private <T> T await(Future<T> future, long deadline, String what) {
    try {
      return future.get(remainingMs(deadline), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw translate(e.getCause(), what);
    } catch (java.util.concurrent.TimeoutException e) {
      throw timedOut(what);
    } catch (InterruptedException e) {
      throw interrupted(what);
    }
  }

  /** The one mapping from an admin failure to a message and an exit code. */
  private UserException translate(Throwable cause, String what) {
    if (cause instanceof TimeoutException) {
      return timedOut(what);
    }
    Optional<UserException> access = AccessFailures.of(cause, bootstrapServers, what);
    if (access.isPresent()) {
      return access.get();
    }
    if (cause instanceof InvalidConfigurationException
        || cause instanceof InvalidPartitionsException
        || cause instanceof PolicyViolationException) {
      return new UserException(
          "cannot " + what + " on Kafka at " + bootstrapServers + ": " + cause.getMessage(),
          ExitCodes.USAGE,
          cause);
    }
    return new UserException(
        "cannot " + what + " on Kafka at " + bootstrapServers + ": " + cause,
        ExitCodes.FAILURE,
        cause);
  }

  private UserException timedOut(String what) {
    return new UserException(
        "cannot "
            + what
            + ": no answer from Kafka at "
            + bootstrapServers
            + " within "
            + seconds(timeout)
            + " (--connect-timeout); is the broker running and the address right?",
        ExitCodes.FAILURE);
  }

  private static UserException interrupted(String what) {
    Thread.currentThread().interrupt();
    return new UserException("interrupted while trying to " + what, ExitCodes.FAILURE);
  }

  private static String rootMessage(Throwable e) {
    Throwable root = Causes.root(e);
    return root == e ? e.getMessage() : e.getMessage() + ": " + root.getMessage();
  }

  /** {@code 30 s}, {@code 0.5 s}. */
  public static String seconds(Duration d) {
    return BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString() + " s";
  }

  /** Closes the admin client if this opened it. */
  @Override
  public void close() {
    if (ownsAdmin) {
      admin.close(Duration.ofSeconds(5));
    }
  }
}
