package dev.vaestream.trainer;

import dev.vaestream.core.record.InvalidRecordException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/** One consumed input record, already decoded off the training thread. */
sealed interface InputItem {
  TopicPartition partition();

  long offset();

  /**
   * A valid image; {@code learnable} is false when {@code --learn-split} excludes its split; {@code
   * phase} is its drift-scenario phase header, or null.
   */
  record Image(
      TopicPartition partition, long offset, float[] pixels, boolean learnable, String phase)
      implements InputItem {
    Image(TopicPartition partition, long offset, float[] pixels, boolean learnable) {
      this(partition, offset, pixels, learnable, null);
    }
  }

  /** A record that is not an image: it goes to the dead-letter topic. */
  record Invalid(ConsumerRecord<byte[], byte[]> record, InvalidRecordException error)
      implements InputItem {
    @Override
    public TopicPartition partition() {
      return new TopicPartition(record.topic(), record.partition());
    }

    @Override
    public long offset() {
      return record.offset();
    }
  }
}
