package dev.vaestream.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class FencingTest {
  @Test
  void everyWayTheBrokerSaysAnotherInstanceTookOverIsFencing() {
    assertThat(Fencing.isFencing(new ProducerFencedException("x"))).isTrue();
    assertThat(Fencing.isFencing(new InvalidProducerEpochException("x"))).isTrue();
    assertThat(Fencing.isFencing(new FencedInstanceIdException("x"))).isTrue();
    assertThat(Fencing.isFencing(new InvalidTxnStateException("x"))).isTrue();
  }

  @Test
  void aFencingCauseDeepInTheChainCounts() {
    KafkaException wrapped =
        new KafkaException("commit failed", new KafkaException(new InvalidTxnStateException("x")));
    assertThat(Fencing.isFencing(wrapped)).isTrue();
  }

  @Test
  void otherFailuresAreNotFencing() {
    assertThat(Fencing.isFencing(new TimeoutException("x"))).isFalse();
    assertThat(Fencing.isFencing(new KafkaException("x", new IllegalStateException()))).isFalse();
    assertThat(Fencing.isFencing(null)).isFalse();
  }
}
