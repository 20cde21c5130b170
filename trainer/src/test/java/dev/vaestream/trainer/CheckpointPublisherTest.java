package dev.vaestream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class CheckpointPublisherTest {

  /** How the producer reports a transaction that failed: its error state, caused by the send's. */
  private static KafkaException inErrorState(Throwable cause) {
    return new KafkaException(
        "Cannot execute transactional method because we are in an error state", cause);
  }

  @Test
  void retriesWhatABrokerFaultOrARejoinCausesAndNotWhatWouldFailAgain() {
    assertThat(CheckpointPublisher.worthRetrying(inErrorState(new NotEnoughReplicasException("x"))))
        .isTrue();
    assertThat(CheckpointPublisher.worthRetrying(new TimeoutException("x"))).isTrue();
    assertThat(CheckpointPublisher.worthRetrying(inErrorState(new CommitFailedException())))
        .isTrue();
    assertThat(CheckpointPublisher.worthRetrying(inErrorState(new RecordTooLargeException("x"))))
        .isFalse();
    assertThat(
            CheckpointPublisher.worthRetrying(
                inErrorState(new TopicAuthorizationException("vae.checkpoints"))))
        .isFalse();
    assertThat(CheckpointPublisher.worthRetrying(new KafkaException("x"))).isFalse();
  }
}
