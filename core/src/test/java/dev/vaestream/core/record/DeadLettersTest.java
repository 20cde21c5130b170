package dev.vaestream.core.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The dead-letter copy goes to the topic it is given, never to a default (issue 14, finding 9). */
class DeadLettersTest {
  private static final ConsumerRecord<byte[], byte[]> SOURCE =
      new ConsumerRecord<>("images-x", 2, 41L, "k".getBytes(), new byte[] {1, 2, 3});

  @Test
  void goesToTheGivenTopicWithTheReasonAndTheOriginal() {
    InvalidRecordException error =
        new InvalidRecordException(InvalidRecordException.Reason.values()[0], "detail");

    ProducerRecord<byte[], byte[]> dead = DeadLetters.of(SOURCE, error, "scorer", "my.dlq");

    assertThat(dead.topic()).isEqualTo("my.dlq");
    assertThat(dead.key()).isEqualTo("k".getBytes());
    assertThat(dead.value()).containsExactly(1, 2, 3);
    assertThat(header(dead, DeadLetters.H_REASON)).isEqualTo(error.reason().code());
    assertThat(header(dead, DeadLetters.H_SERVICE)).isEqualTo("scorer");
    assertThat(header(dead, DeadLetters.H_TOPIC)).isEqualTo("images-x");
    assertThat(header(dead, DeadLetters.H_PARTITION)).isEqualTo("2");
    assertThat(header(dead, DeadLetters.H_OFFSET)).isEqualTo("41");
  }

  @Test
  void aMissingTopicIsRefusedRatherThanDefaulted() {
    InvalidRecordException error =
        new InvalidRecordException(InvalidRecordException.Reason.values()[0], "detail");

    assertThatThrownBy(() -> DeadLetters.of(SOURCE, error, "scorer", " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--dlq-topic");
  }

  private static String header(ProducerRecord<byte[], byte[]> r, String key) {
    return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
  }
}
