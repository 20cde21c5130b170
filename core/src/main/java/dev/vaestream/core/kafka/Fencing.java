package dev.vaestream.core.kafka;

import dev.vaestream.core.cli.Causes;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;

/**
 * Tells whether a Kafka failure means this instance was fenced: a newer instance with the same
 * {@code transactional.id} or {@code group.instance.id} took over, so this one must stop rather
 * than retry (a retry would fork the output).
 */
public final class Fencing {
  private Fencing() {}

  /** Whether {@code e} or one of its causes says this instance was fenced. */
  public static boolean isFencing(Throwable e) {
    return Causes.any(e, Fencing::saysFenced);
  }

  private static boolean saysFenced(Throwable t) {
    return t instanceof ProducerFencedException
        || t instanceof InvalidProducerEpochException
        || t instanceof FencedInstanceIdException
        // Under transactions v2 (Kafka 4.x) a commit that races with the coordinator aborting the
        // transaction (a new instance's initTransactions, or transaction.timeout.ms) gets
        // INVALID_TXN_STATE instead of PRODUCER_FENCED (KAFKA-20785, fixed after 4.3). Either way
        // the epoch was bumped and the transaction rolled back: this producer is fenced.
        || t instanceof InvalidTxnStateException;
  }
}
