package dev.vaestream.core.model;

/**
 * The kernels that run on any ND4J backend, CUDA included: the forward pass as ND4J ops ({@link
 * PortableForward}) and DL4J's layer for the training step ({@link Dl4jTrainingStep}). The
 * reference every faster path is tested against, and what a GPU runs.
 */
public final class PortableKernels implements VaeKernels {
  /** The name of this path, for {@code -D}{@value ComputePath#PROPERTY}. */
  public static final String NAME = "portable";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean supports(String nd4jBackend) {
    return true;
  }

  @Override
  public VaeForward forward(VaeModel model) {
    return new PortableForward(model);
  }

  @Override
  public TrainingStep trainingStep(VaeModel model) {
    return new Dl4jTrainingStep(model);
  }
}
