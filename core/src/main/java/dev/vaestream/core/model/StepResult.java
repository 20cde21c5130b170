package dev.vaestream.core.model;

/**
 * The outcome of one training step.
 *
 * @param loss the batch's training loss (reconstruction + KL per image, batch mean), as DL4J
 *     computed it with the sampled latent
 * @param applied false when the step produced a non-finite loss or parameters and was rolled back
 */
public record StepResult(double loss, boolean applied) {}
