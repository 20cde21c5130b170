package dev.vaestream.core.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Reads a whole topic once: every partition from its beginning to the end it has when the read
 * starts (with {@code read_committed}, its last stable offset). For checkpoint restore and audits,
 * where "everything committed so far" is the question, not a live stream.
 */
public final class TopicReader {
  private TopicReader() {}

  /**
   * Assigns {@code consumer} every partition of {@code topic} and hands each record to {@code each}
   * until every partition reached its end.
   *
   * @param metadataTimeout bound for looking up the partitions and their end offsets
   * @param readTimeout bound for the whole read; exceeded, it throws Kafka's (retriable) {@link
   *     TimeoutException}
   * @return false if the topic has no partitions (nothing was read)
   */
  public static boolean readToEnd(
      org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer,
      String topic,
      Duration metadataTimeout,
      Duration readTimeout,
      Consumer<ConsumerRecord<byte[], byte[]>> each) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, metadataTimeout);
    if (infos == null || infos.isEmpty()) {
      return false;
    }
    List<TopicPartition> partitions =
        infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, metadataTimeout);
    long deadline = System.nanoTime() + readTimeout.toNanos();
    while (!reachedEnd(consumer, end)) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("timed out reading topic " + topic);
      }
      consumer.poll(Duration.ofMillis(500)).forEach(each);
    }
    return true;
  }

  private static boolean reachedEnd(
      org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer,
      Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
