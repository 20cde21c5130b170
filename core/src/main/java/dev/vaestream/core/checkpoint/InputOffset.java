package dev.vaestream.core.checkpoint;

/**
 * The next offset to consume on one input partition: the position a checkpoint covers up to.
 *
 * @param topic input topic
 * @param partition input partition
 * @param offset the offset of the first record not yet reflected in the checkpoint
 */
public record InputOffset(String topic, int partition, long offset) {}
