package dev.vaestream.core.kafka;

import java.util.List;
import org.slf4j.Logger;

/**
 * What {@link TopicSetup} found or did for one {@link TopicDefinition}: whether the topic was
 * created, already existed or is missing, its actual partitions and replication factor, and one
 * sentence per setting that differs from the definition. Callers log it ({@link #log(Logger)}) and
 * decide: a service carries on with an existing topic as it is, {@code topics --check} fails.
 *
 * @param wanted the definition it was checked against
 * @param outcome created, existing or missing
 * @param partitions the actual partition count (0 when missing)
 * @param replicationFactor the smallest actual replica count over its partitions (0 when missing)
 * @param differences one sentence per setting that is not as defined
 * @param configsUnchecked why the configs could not be read, or null when they were
 * @param warnings one sentence per durability risk that is not a difference from the definition (a
 *     replication factor under 3 or {@code min.insync.replicas} under 2 on a cluster of three or
 *     more brokers): logged as warnings, never a failure
 */
public record TopicReport(
    TopicDefinition wanted,
    Outcome outcome,
    int partitions,
    int replicationFactor,
    List<String> differences,
    String configsUnchecked,
    List<String> warnings) {

  /** What happened to the topic. */
  public enum Outcome {
    /** This call created it, exactly as defined. */
    CREATED,
    /** It existed already (or another client created it at the same moment). */
    EXISTS,
    /** It does not exist and was not to be created ({@code --check}). */
    MISSING
  }

  public TopicReport {
    differences = List.copyOf(differences);
    warnings = List.copyOf(warnings);
  }

  /** A report without warnings. */
  public TopicReport(
      TopicDefinition wanted,
      Outcome outcome,
      int partitions,
      int replicationFactor,
      List<String> differences,
      String configsUnchecked) {
    this(wanted, outcome, partitions, replicationFactor, differences, configsUnchecked, List.of());
  }

  /** The topic's name. */
  public String topic() {
    return wanted.name();
  }

  /** True when the topic exists with every defined setting. */
  public boolean matches() {
    return outcome != Outcome.MISSING && differences.isEmpty();
  }

  /** True when it {@link #matches()} and its configs could be read, so nothing is unknown. */
  public boolean verified() {
    return matches() && configsUnchecked == null;
  }

  /** One line, e.g. {@code created topic mnist.images (3 partitions, replication factor 1)}. */
  public String summary() {
    if (outcome == Outcome.MISSING) {
      return "topic " + topic() + " is missing";
    }
    return (outcome == Outcome.CREATED ? "created topic " : "using existing topic ")
        + topic()
        + " ("
        + partitions
        + (partitions == 1 ? " partition" : " partitions")
        + ", replication factor "
        + replicationFactor
        + ")"
        + (differences.isEmpty()
            ? ""
            : " with " + differences.size() + " setting(s) not as defined");
  }

  /** Logs the summary (info), each difference (warn) and why configs were not checked (info). */
  public TopicReport log(Logger log) {
    log.info("Topic setup: {}", summary());
    for (String difference : differences) {
      log.warn("Topic setup: {}", difference);
    }
    for (String warning : warnings) {
      log.warn("Topic setup: {}", warning);
    }
    if (configsUnchecked != null) {
      // Least-privilege principals may not describe configs: worth knowing, not a warning.
      log.info("Topic setup: configs of topic {} not checked: {}", topic(), configsUnchecked);
    }
    return this;
  }
}
