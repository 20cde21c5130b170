package dev.vaestream.core.model;

/**
 * The CPU build's kernels: the forward pass ({@link OpenBlasForward}) and the training step ({@link
 * FusedTrainingStep}) call OpenBLAS directly on the parameters' memory.
 *
 * <p>This class lives in {@code core/src/openblas}, which only the CPU build compiles: the {@code
 * cuda} profile leaves it out, and {@link ComputePath} finds it through {@link
 * java.util.ServiceLoader} when it is there.
 */
public final class OpenBlasKernels implements VaeKernels {
  static final String NAME = "openblas";

  /** For {@link java.util.ServiceLoader}. */
  public OpenBlasKernels() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean supports(String nd4jBackend) {
    // OpenBLAS works on host memory: only the CPU backend keeps the parameters there.
    return "cpu".equals(nd4jBackend);
  }

  @Override
  public VaeForward forward(VaeModel model) {
    return new OpenBlasForward(model);
  }

  @Override
  public TrainingStep trainingStep(VaeModel model) {
    return new FusedTrainingStep(model);
  }
}
