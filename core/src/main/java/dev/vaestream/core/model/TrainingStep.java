package dev.vaestream.core.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training step's arithmetic on a model's parameters and Adam state, in place: loss and
 * gradients of the batch, then the Adam update, applied only when it leaves the model finite.
 * {@link VaeModel#trainStep} owns what surrounds it: seeding the noise and counting steps and
 * rollbacks.
 *
 * <p>Contract: when {@link StepResult#applied()} is false, the parameters and Adam state are bit
 * for bit what they were before the call; when it is true, every parameter is finite. How an
 * implementation keeps that promise is its own business ({@link Dl4jTrainingStep} copies and rolls
 * back; the fused CPU step checks the gradient before it touches anything).
 *
 * <p>Implementations must be deterministic: the same parameters, Adam state, batch, noise seed and
 * iteration give the same bits, which is what exact resume relies on.
 */
public interface TrainingStep {
  /**
   * Computes the batch's loss and gradients and applies one Adam update if it is safe to.
   *
   * @param batch {@code n x 784}, pixels in [0, 1]
   * @param adamIteration the Adam iteration (the model's step count before this step)
   * @return the mean training loss per image (sampled latent), and whether the update was applied
   */
  StepResult apply(INDArray batch, int adamIteration);

  /**
   * For benchmarks: the seconds that {@code repeats} runs of this step's matrix products alone take
   * at batch {@code rows} (the arithmetic limit of a step), on scratch memory with the parameters
   * left as they are; NaN where the products are not separate calls (DL4J's layer).
   */
  default double matrixProductSeconds(int rows, int repeats) {
    return Double.NaN;
  }
}
