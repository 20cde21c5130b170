package dev.vaestream.trainer;

import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.checkpoint.CheckpointFormatException;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.kafka.CheckpointTopic;
import dev.vaestream.core.kafka.TopicCatalog;
import dev.vaestream.core.kafka.TopicReader;
import dev.vaestream.core.kafka.TopicSetup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code trainer --initial-checkpoint FILE}: before the trainer restores, writes a checkpoint file
 * (one the trainer wrote to {@code --checkpoint-dir}) to the checkpoint topic <em>if the topic
 * holds no checkpoint</em>, so a lost topic does not lose the model. A topic that already has
 * checkpoints is left alone: the file is only a seed. The file is verified first (format, checksum,
 * signature with the trainer's key): a bad file stops the trainer with exit code 2 and names it.
 */
final class InitialCheckpoint {
  private static final Logger log = LoggerFactory.getLogger(InitialCheckpoint.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** What happened. */
  enum Outcome {
    /** The topic was empty and now holds the file's checkpoint. */
    SEEDED,
    /** The topic already held checkpoints; nothing was written. */
    TOPIC_NOT_EMPTY
  }

  private InitialCheckpoint() {}

  /** Seeds the trainer's checkpoint topic from {@code file} if that topic has no record. */
  static Outcome seedIfEmpty(TrainerSettings settings, Path file) {
    CheckpointCodec codec = CheckpointCodec.withKey(settings.hmacKey());
    byte[] bytes = read(file);
    Checkpoint checkpoint;
    try {
      checkpoint = codec.decode(bytes, file.toString());
    } catch (CheckpointFormatException e) {
      throw new UserException(
          "--initial-checkpoint " + file + ": " + e.getMessage() + " (" + e.reason().code() + ")",
          ExitCodes.USAGE);
    }
    String topic = settings.checkpointTopic();
    ensureTopic(settings, topic);
    long records = countRecords(settings, topic);
    if (records > 0) {
      log.info(
          "--initial-checkpoint {} not used: {} already holds {} record(s)", file, topic, records);
      return Outcome.TOPIC_NOT_EMPTY;
    }
    String seq = checkpoint.metadata().get(TrainingLoop.META_SEQUENCE);
    long sequence = seq == null ? 0 : Long.parseLong(seq);
    Map<String, Object> p = new HashMap<>(CheckpointTopic.producerOverrides());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, TrainerSettings.clientId("seed"));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.kafka().with(p))) {
      producer.send(CheckpointTopic.record(topic, sequence, checkpoint, bytes)).get();
    } catch (ExecutionException e) {
      throw new UserException(
          "cannot write --initial-checkpoint "
              + file
              + " to "
              + topic
              + ": "
              + e.getCause().getMessage(),
          ExitCodes.FAILURE,
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserException("interrupted while seeding " + topic, ExitCodes.FAILURE, e);
    }
    log.info("Seeded the empty {} with checkpoint step {} from {}", topic, checkpoint.step(), file);
    return Outcome.SEEDED;
  }

  /** The checkpoint topic as the catalogue defines it (the trainer would create it next anyway). */
  private static void ensureTopic(TrainerSettings settings, String topic) {
    Map<String, Object> admin = settings.kafka().forClient(AdminClientConfig.configNames());
    admin.put(AdminClientConfig.CLIENT_ID_CONFIG, TrainerSettings.clientId("seed"));
    try (TopicSetup setup = TopicSetup.open(admin, settings.connectTimeout())) {
      setup.ensure(TopicCatalog.checkpoints(settings.replicationFactor()).named(topic)).log(log);
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new UserException("--initial-checkpoint " + file + ": no such file", ExitCodes.USAGE);
    } catch (IOException e) {
      throw new UserException(
          "--initial-checkpoint " + file + ": cannot read it (" + e.getMessage() + ")",
          ExitCodes.USAGE);
    }
  }

  /** Committed records on the topic now (read to its end once). */
  private static long countRecords(TrainerSettings settings, String topic) {
    Map<String, Object> c = new HashMap<>(CheckpointTopic.consumerOverrides());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, TrainerSettings.clientId("seed"));
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    AtomicLong n = new AtomicLong();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.kafka().with(c))) {
      if (!TopicReader.readToEnd(
          consumer, topic, TIMEOUT, TIMEOUT.multipliedBy(4), r -> n.incrementAndGet())) {
        throw new UserException(
            "--initial-checkpoint: topic " + topic + " does not exist", ExitCodes.FAILURE);
      }
    }
    return n.get();
  }
}
