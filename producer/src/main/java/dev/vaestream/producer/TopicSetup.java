package dev.vaestream.producer;

import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.kafka.AccessFailures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the output topic exists before the first send: creates it with the requested
 * partitions and replication factor, or checks and reports the settings of an existing one.
 *
 * <p>Why not let the broker auto-create it: auto-creation uses the broker's defaults (often one
 * partition, one replica) and is disabled on most production clusters, so the first send would
 * either hang for {@code max.block.ms} or silently create the wrong topic.
 *
 * <p>An existing topic with other settings is used as is and each difference is logged as a
 * warning: the producer works with any partition count, and changing a topic is an operator's
 * decision. The one fatal mismatch is a {@code min.insync.replicas} larger than the replication
 * factor, because then every {@code acks=all} send would fail.
 */
public final class TopicSetup {
  private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);
  private static final long RETRY_MS = 50;

  /**
   * What was found or done.
   *
   * @param topic the topic name
   * @param created whether this run created it
   * @param partitions its partition count
   * @param replicationFactor its smallest replica count over all partitions
   * @param warnings each difference from the requested settings, one sentence each
   */
  public record Result(
      String topic, boolean created, int partitions, int replicationFactor, List<String> warnings) {
    public Result {
      warnings = List.copyOf(warnings);
    }

    /** One line for the log, e.g. {@code created topic mnist.images (3 partitions, RF 1)}. */
    public String summary() {
      return (created ? "created topic " : "using existing topic ")
          + topic
          + " ("
          + partitions
          + (partitions == 1 ? " partition" : " partitions")
          + ", replication factor "
          + replicationFactor
          + ")"
          + (warnings.isEmpty() ? "" : " with " + warnings.size() + " setting(s) not as requested");
    }
  }

  private final Admin admin;
  private final String bootstrapServers;
  private final Duration timeout;

  /**
   * @param bootstrapServers named in error messages
   * @param timeout bound on each admin call, including the first connection
   */
  public TopicSetup(Admin admin, String bootstrapServers, Duration timeout) {
    this.admin = admin;
    this.bootstrapServers = bootstrapServers;
    this.timeout = timeout;
  }

  /**
   * Fails fast with a clear message if the cluster cannot be reached within the timeout.
   *
   * @return the number of brokers
   * @throws UserException if the cluster is unreachable or rejects the credentials
   */
  public int checkConnection() {
    Collection<Node> nodes = await(admin.describeCluster().nodes(), "connect to the cluster");
    log.info("Connected to Kafka at {} ({} broker(s))", bootstrapServers, nodes.size());
    return nodes.size();
  }

  /**
   * Creates {@code topic} if it is missing, or checks it if it exists; logs a summary line and a
   * warning per mismatch.
   *
   * @throws UserException if the topic can neither be created nor used
   */
  public Result ensureTopic(String topic, int partitions, short replicationFactor) {
    TopicDescription existing = describe(topic);
    boolean created = false;
    if (existing == null) {
      created = create(topic, partitions, replicationFactor);
      existing = awaitDescription(topic);
    }
    int actualPartitions = existing.partitions().size();
    int actualReplicas = replicationFactorOf(existing);
    List<String> warnings = new ArrayList<>();
    if (actualPartitions != partitions) {
      warnings.add(
          "topic "
              + topic
              + " has "
              + actualPartitions
              + " partition(s) but --partitions "
              + partitions
              + " was requested; the producer uses it as is ("
              + (actualPartitions < partitions
                  ? "fewer partitions limit how many consumers can share the load"
                  : "extra partitions are harmless")
              + ")");
    }
    if (actualReplicas != replicationFactor) {
      warnings.add(
          "topic "
              + topic
              + " has replication factor "
              + actualReplicas
              + " but --replication-factor "
              + replicationFactor
              + " was requested; the producer uses it as is"
              + (actualReplicas < replicationFactor ? " (less durable than requested)" : ""));
    }
    checkMinInSyncReplicas(topic, actualReplicas);
    Result result = new Result(topic, created, actualPartitions, actualReplicas, warnings);
    log.info("Topic setup: {}", result.summary());
    for (String warning : warnings) {
      log.warn("Topic setup: {}", warning);
    }
    return result;
  }

  private TopicDescription describe(String topic) {
    try {
      return admin
          .describeTopics(Set.of(topic))
          .allTopicNames()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .get(topic);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return null;
      }
      throw translate(e.getCause(), "describe topic " + topic);
    } catch (java.util.concurrent.TimeoutException e) {
      throw timedOut("describe topic " + topic);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserException("interrupted while describing topic " + topic, ExitCodes.FAILURE);
    }
  }

  /**
   * Describes a topic that was just created. Creation returns once the controller has it; the
   * broker that answers may learn of it a moment later and meanwhile reports it unknown.
   */
  private TopicDescription awaitDescription(String topic) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      TopicDescription description = describe(topic);
      if (description != null) {
        return description;
      }
      if (System.nanoTime() > deadline) {
        throw new UserException(
            "topic "
                + topic
                + " was created but is still unknown to the broker after "
                + seconds(timeout)
                + "; check the cluster's logs",
            ExitCodes.FAILURE);
      }
      try {
        Thread.sleep(RETRY_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UserException("interrupted while waiting for topic " + topic, ExitCodes.FAILURE);
      }
    }
  }

  /** Creates the topic; false if someone else created it first. */
  private boolean create(String topic, int partitions, short replicationFactor) {
    NewTopic newTopic = new NewTopic(topic, partitions, replicationFactor);
    try {
      admin.createTopics(List.of(newTopic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        log.info("Topic {} was created concurrently by another client", topic);
        return false;
      }
      if (e.getCause() instanceof InvalidReplicationFactorException) {
        throw new UserException(
            "cannot create topic "
                + topic
                + " with --replication-factor "
                + replicationFactor
                + ": "
                + e.getCause().getMessage(),
            ExitCodes.USAGE);
      }
      throw translate(e.getCause(), "create topic " + topic);
    } catch (java.util.concurrent.TimeoutException e) {
      throw timedOut("create topic " + topic);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserException("interrupted while creating topic " + topic, ExitCodes.FAILURE);
    }
  }

  private void checkMinInSyncReplicas(String topic, int replicas) {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config;
    try {
      config =
          admin
              .describeConfigs(List.of(resource))
              .all()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .get(resource);
    } catch (ExecutionException e) {
      // Describing configs needs its own ACL; without it the check is skipped, not the run.
      log.debug(
          "Cannot check {} of topic {}: {}",
          TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
          topic,
          e.getCause().toString());
      return;
    } catch (java.util.concurrent.TimeoutException e) {
      throw timedOut("describe the configs of topic " + topic);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserException("interrupted while describing topic " + topic, ExitCodes.FAILURE);
    }
    ConfigEntry entry = config == null ? null : config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
    if (entry == null || entry.value() == null) {
      return;
    }
    int minInSync = Integer.parseInt(entry.value().trim());
    if (minInSync > replicas) {
      throw new UserException(
          "topic "
              + topic
              + " has "
              + TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG
              + "="
              + minInSync
              + " but only "
              + replicas
              + " replica(s): every acks=all send would fail; lower "
              + TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG
              + " or add replicas",
          ExitCodes.USAGE);
    }
  }

  private static int replicationFactorOf(TopicDescription description) {
    int min = Integer.MAX_VALUE;
    for (TopicPartitionInfo partition : description.partitions()) {
      min = Math.min(min, partition.replicas().size());
    }
    return min == Integer.MAX_VALUE ? 0 : min;
  }

  private <T> T await(Future<T> future, String what) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw translate(e.getCause(), what);
    } catch (java.util.concurrent.TimeoutException e) {
      throw timedOut(what);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserException("interrupted while trying to " + what, ExitCodes.FAILURE);
    }
  }

  private UserException translate(Throwable cause, String what) {
    if (cause instanceof TimeoutException) {
      return timedOut(what);
    }
    Optional<UserException> access = AccessFailures.of(cause, bootstrapServers, what);
    if (access.isPresent()) {
      return access.get();
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

  /** {@code 30 s}, {@code 0.5 s}. */
  static String seconds(Duration d) {
    return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString()
        + " s";
  }
}
