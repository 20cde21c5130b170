package dev.vaestream.core.model;

/**
 * The outcome of one training step.
 *
 * @param loss the batch's training loss (reconstruction + KL per image, batch mean), as DL4J
 *     computed it with the sampled latent
 * @param applied false when the step would have produced a non-finite loss, gradient or parameters
 *     and was not applied: the model is as it was before the step
 */
public record StepResult(double loss, boolean applied) {}
