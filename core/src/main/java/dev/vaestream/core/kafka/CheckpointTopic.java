package dev.vaestream.core.kafka;

import dev.vaestream.core.checkpoint.Checkpoint;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * How checkpoints travel on {@code vae.checkpoints}: a compacted single-partition topic whose value
 * is a {@code CheckpointCodec} record. Keys cycle through a small ring ({@code ckpt-0} .. {@code
 * ckpt-3}) so compaction keeps the newest few checkpoints, not just one: if the newest is corrupt,
 * readers fall back to the newest valid one. Readers pick the highest step among valid records.
 */
public final class CheckpointTopic {
  /** Checkpoints kept alive by compaction. */
  public static final int RING_SIZE = 4;

  /** Largest checkpoint record: parameters plus Adam state are about 5.3 MB; room to spare. */
  public static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;

  public static final String H_STEP = "step";
  public static final String H_CREATED_AT = "created_at";

  private CheckpointTopic() {}

  /** Topic configs of {@code vae.checkpoints}, as {@link TopicCatalog#checkpoints} defines them. */
  public static Map<String, String> topicConfigs() {
    return TopicCatalog.checkpoints(TopicCatalog.DEFAULT_REPLICATION_FACTOR).configs();
  }

  /** Producer settings that let checkpoint records through (matching the topic limit). */
  public static Map<String, Object> producerOverrides() {
    return Map.of(
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
        MAX_RECORD_BYTES + 1024 * 1024,
        ProducerConfig.BUFFER_MEMORY_CONFIG,
        4L * MAX_RECORD_BYTES);
  }

  /** Consumer settings that can fetch checkpoint records (matching the topic limit). */
  public static Map<String, Object> consumerOverrides() {
    return Map.of(
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, MAX_RECORD_BYTES + 1024 * 1024,
        ConsumerConfig.FETCH_MAX_BYTES_CONFIG, MAX_RECORD_BYTES + 1024 * 1024);
  }

  /** The ring key of the {@code sequence}-th published checkpoint. */
  public static byte[] key(long sequence) {
    return ("ckpt-" + Math.floorMod(sequence, RING_SIZE)).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A record for {@code vae.checkpoints} carrying {@code encoded} (bytes of {@code checkpoint}).
   */
  public static ProducerRecord<byte[], byte[]> record(
      long sequence, Checkpoint checkpoint, byte[] encoded) {
    return record(Topics.CHECKPOINTS, sequence, checkpoint, encoded);
  }

  /** As {@link #record(long, Checkpoint, byte[])} for another topic (tests, side deployments). */
  public static ProducerRecord<byte[], byte[]> record(
      String topic, long sequence, Checkpoint checkpoint, byte[] encoded) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(H_STEP, Long.toString(checkpoint.step()).getBytes(StandardCharsets.UTF_8));
    headers.add(
        H_CREATED_AT, Long.toString(checkpoint.createdAtMs()).getBytes(StandardCharsets.UTF_8));
    return new ProducerRecord<>(topic, 0, key(sequence), encoded, headers);
  }
}
