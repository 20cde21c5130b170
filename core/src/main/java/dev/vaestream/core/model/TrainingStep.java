package dev.vaestream.core.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training step's arithmetic on a model's parameters and Adam state, in place: loss and
 * gradients of the batch, then the Adam update. {@link VaeModel#trainStep} owns everything around
 * it: seeding the noise, the finiteness check, the rollback and the step counter.
 *
 * <p>Implementations must be deterministic: the same parameters, Adam state, batch, noise seed and
 * iteration give the same bits, which is what exact resume relies on.
 */
public interface TrainingStep {
  /**
   * Computes the batch's loss and gradients and applies one Adam update.
   *
   * @param batch {@code n x 784}, pixels in [0, 1]
   * @param adamIteration the Adam iteration (the model's step count before this step)
   * @return the mean training loss per image (sampled latent)
   */
  double apply(INDArray batch, int adamIteration);
}
