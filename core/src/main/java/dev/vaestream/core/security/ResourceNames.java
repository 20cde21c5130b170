package dev.vaestream.core.security;

import dev.vaestream.core.kafka.Topics;

/**
 * The Kafka resource names the ACLs are about: topics, consumer groups, transactional ids and the
 * statistics' Streams application id. {@link #defaults()} are the services' own defaults; a
 * deployment that changes a service's flag ({@code --group-id}, {@code --stats-application-id}, a
 * topic) changes the same name here.
 *
 * @param imagesTopic input images ({@code mnist.images})
 * @param dlqTopic dead letters ({@code mnist.images.dlq})
 * @param checkpointsTopic checkpoints ({@code vae.checkpoints})
 * @param scoresTopic scores ({@code anomaly.scores})
 * @param statsTopic windowed statistics ({@code anomaly.stats})
 * @param trainerGroupId the trainer's consumer group
 * @param trainerTransactionalId the trainer's fixed transactional id
 * @param scorerGroupId the scorers' consumer group; each instance's transactional id is {@code
 *     <scorerGroupId>-<instance-id>}
 * @param statsApplicationId the statistics stream's {@code application.id}: its group, the prefix
 *     of its internal topics and of its transactional ids
 * @param eventsTopic the trainer's drift events ({@code vae.events})
 */
public record ResourceNames(
    String imagesTopic,
    String dlqTopic,
    String checkpointsTopic,
    String scoresTopic,
    String statsTopic,
    String trainerGroupId,
    String trainerTransactionalId,
    String scorerGroupId,
    String statsApplicationId,
    String eventsTopic) {

  /** With the standard events topic. */
  public ResourceNames(
      String imagesTopic,
      String dlqTopic,
      String checkpointsTopic,
      String scoresTopic,
      String statsTopic,
      String trainerGroupId,
      String trainerTransactionalId,
      String scorerGroupId,
      String statsApplicationId) {
    this(
        imagesTopic,
        dlqTopic,
        checkpointsTopic,
        scoresTopic,
        statsTopic,
        trainerGroupId,
        trainerTransactionalId,
        scorerGroupId,
        statsApplicationId,
        Topics.EVENTS);
  }

  /** The trainer's default group and transactional id. */
  public static final String DEFAULT_TRAINER_ID = "vae-trainer";

  /** The scorers' default group. */
  public static final String DEFAULT_SCORER_GROUP_ID = "vae-scorer";

  public ResourceNames {
    require(imagesTopic, "images topic");
    require(dlqTopic, "dead-letter topic");
    require(checkpointsTopic, "checkpoint topic");
    require(scoresTopic, "scores topic");
    require(statsTopic, "stats topic");
    require(trainerGroupId, "trainer group id");
    require(trainerTransactionalId, "trainer transactional id");
    require(scorerGroupId, "scorer group id");
    require(statsApplicationId, "stats application id");
    require(eventsTopic, "events topic");
  }

  /** The names every service uses when no flag changes them. */
  public static ResourceNames defaults() {
    return new ResourceNames(
        Topics.IMAGES,
        Topics.IMAGES_DLQ,
        Topics.CHECKPOINTS,
        Topics.SCORES,
        Topics.STATS,
        DEFAULT_TRAINER_ID,
        DEFAULT_TRAINER_ID,
        DEFAULT_SCORER_GROUP_ID,
        DEFAULT_SCORER_GROUP_ID + "-stats");
  }

  /**
   * These names for a second, independent trainer on the same images: its checkpoint topic, dead
   * letters, drift events, consumer group and transactional id end in {@code suffix}; the images
   * topic and everything of the scorer stay. The chaos campaign's fault-free reference trainer runs
   * on {@code defaults().withTrainerSuffix(".reference")}, and its ACLs come from {@link
   * AccessPolicy#grants(ServiceRole, ResourceNames)} with these names like everyone else's.
   *
   * @param suffix appended to the trainer's names, e.g. {@code .reference}; not empty
   */
  public ResourceNames withTrainerSuffix(String suffix) {
    require(suffix, "trainer suffix");
    return new ResourceNames(
        imagesTopic,
        dlqTopic + suffix,
        checkpointsTopic + suffix,
        scoresTopic,
        statsTopic,
        trainerGroupId + suffix,
        trainerTransactionalId + suffix,
        scorerGroupId,
        statsApplicationId,
        eventsTopic + suffix);
  }

  /** The prefix of every scorer instance's transactional id: {@code <scorerGroupId>-}. */
  public String scorerTransactionalIdPrefix() {
    return scorerGroupId + "-";
  }

  /** Where every scorer writes its partial statistics ({@link Topics#statsPartials}). */
  public String statsPartialsTopic() {
    return Topics.statsPartials(statsApplicationId);
  }

  /** The prefix of the statistics' internal topics and transactional ids. */
  public String statsInternalPrefix() {
    return statsApplicationId + "-";
  }

  private static void require(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("the " + what + " must not be empty");
    }
  }
}
