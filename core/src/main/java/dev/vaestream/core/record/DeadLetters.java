package dev.vaestream.core.record;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds the dead-letter copy of a rejected input record: the original key, value and headers, plus
 * headers saying why it was rejected, by whom, and where it came from. Nothing is dropped.
 */
public final class DeadLetters {
  public static final String H_REASON = "dlq.reason";
  public static final String H_DETAIL = "dlq.detail";
  public static final String H_SERVICE = "dlq.service";
  public static final String H_TOPIC = "dlq.source.topic";
  public static final String H_PARTITION = "dlq.source.partition";
  public static final String H_OFFSET = "dlq.source.offset";

  private DeadLetters() {}

  /**
   * The DLQ record for {@code source}, rejected by {@code service} for {@code error}, addressed to
   * {@code dlqTopic}. The topic is required: a default here once sent dead letters past {@code
   * --dlq-topic}.
   */
  public static ProducerRecord<byte[], byte[]> of(
      ConsumerRecord<byte[], byte[]> source,
      InvalidRecordException error,
      String service,
      String dlqTopic) {
    if (dlqTopic == null || dlqTopic.isBlank()) {
      throw new IllegalArgumentException("a dead letter needs its topic (--dlq-topic)");
    }
    RecordHeaders headers = new RecordHeaders();
    for (Header h : source.headers()) {
      headers.add(h);
    }
    headers.add(H_REASON, utf8(error.reason().code()));
    headers.add(H_DETAIL, utf8(String.valueOf(error.getMessage())));
    headers.add(H_SERVICE, utf8(service));
    headers.add(H_TOPIC, utf8(source.topic()));
    headers.add(H_PARTITION, utf8(Integer.toString(source.partition())));
    headers.add(H_OFFSET, utf8(Long.toString(source.offset())));
    return new ProducerRecord<>(dlqTopic, null, source.key(), source.value(), headers);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
