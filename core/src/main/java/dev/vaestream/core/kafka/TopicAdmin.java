package dev.vaestream.core.kafka;

import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics a service writes to when they are missing, through the Admin API (the pipeline
 * never relies on broker auto-creation), and reports how an existing topic differs.
 */
public final class TopicAdmin {
  private static final Logger log = LoggerFactory.getLogger(TopicAdmin.class);

  private TopicAdmin() {}

  /**
   * Describes a topic, retrying while the cluster does not know it yet: when another service has
   * just created it, "already exists" can come before its metadata reaches every broker.
   */
  private static TopicDescription describe(Admin admin, String name, long timeoutMs)
      throws ExecutionException, InterruptedException, TimeoutException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      try {
        return admin
            .describeTopics(List.of(name))
            .allTopicNames()
            .get(timeoutMs, TimeUnit.MILLISECONDS)
            .get(name);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  /** Whether the topic exists; false when the cluster does not know it. */
  private static boolean exists(Admin admin, String name, long timeoutMs)
      throws ExecutionException, InterruptedException, TimeoutException {
    try {
      admin.describeTopics(List.of(name)).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return false;
      }
      throw e;
    }
  }

  private static UserException unreachable(String topic, long timeoutMs) {
    return new UserException(
        "cannot reach Kafka within "
            + timeoutMs
            + " ms to set up topic "
            + topic
            + " (is the broker running and --bootstrap-servers right?)",
        ExitCodes.FAILURE);
  }

  /**
   * Ensures {@code name} exists; creates it with {@code partitions}, {@code replication} and {@code
   * configs} if missing. Returns a warning when an existing topic has other settings.
   *
   * @throws UserException when the cluster cannot be reached within {@code timeoutMs}
   */
  public static Optional<String> ensure(
      Admin admin,
      String name,
      int partitions,
      short replication,
      Map<String, String> configs,
      long timeoutMs) {
    try {
      // Describe first: a service whose principal may not create topics (least privilege: an
      // administrator creates them) must still start when its topics exist, and CreateTopics is
      // refused without Create even for a topic that exists.
      if (!exists(admin, name, timeoutMs)) {
        try {
          admin
              .createTopics(List.of(new NewTopic(name, partitions, replication).configs(configs)))
              .all()
              .get(timeoutMs, TimeUnit.MILLISECONDS);
          log.info(
              "Created topic {} ({} partitions, replication {}, {})",
              name,
              partitions,
              replication,
              configs);
          return Optional.empty();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof TopicAuthorizationException) {
            throw new UserException(
                "topic "
                    + name
                    + " does not exist and this service's principal may not create it: create"
                    + " it as an administrator, or grant Create on it (bin/vae-stream acls"
                    + " --allow-topic-creation)",
                ExitCodes.USAGE,
                e.getCause());
          }
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
      TopicDescription d = describe(admin, name, timeoutMs);
      int actualPartitions = d.partitions().size();
      int actualReplication = d.partitions().get(0).replicas().size();
      if (actualPartitions != partitions || actualReplication != replication) {
        String warning =
            String.format(
                "topic %s exists with %d partitions and replication %d (configured: %d and %d);"
                    + " using it as it is",
                name, actualPartitions, actualReplication, partitions, replication);
        log.warn("{}", warning);
        return Optional.of(warning);
      }
      log.info("Topic {} exists ({} partitions, replication {})", name, partitions, replication);
      return Optional.empty();
    } catch (TimeoutException e) {
      throw unreachable(name, timeoutMs);
    } catch (ExecutionException e) {
      Optional<UserException> access =
          AccessFailures.of(e.getCause(), null, "set up topic " + name);
      if (access.isPresent()) {
        throw access.get();
      }
      // The client's own timeout can fire before ours: the same answer, no broker in time.
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw unreachable(name, timeoutMs);
      }
      throw new UserException(
          "cannot set up topic " + name + ": " + e.getCause().getMessage(), ExitCodes.FAILURE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserException("interrupted while setting up topic " + name, ExitCodes.FAILURE);
    }
  }
}
