package dev.vaestream.core.model;

/**
 * The seam between the model and the code that does its arithmetic on one kind of backend: the
 * forward pass and the training step. {@link ComputePath} picks one implementation per process at
 * start-up.
 *
 * <p>Why a seam: the fastest CPU code calls OpenBLAS directly on the parameters' memory, and
 * OpenBLAS's Java bindings exist only in the CPU build. The portable implementation ({@link
 * PortableKernels}, ND4J ops and DL4J's layer) runs on any ND4J backend, CUDA included, and is the
 * reference the others are tested against. Other implementations are found with {@link
 * java.util.ServiceLoader}, so a build that leaves them out (the {@code cuda} profile) needs none
 * of their classes.
 */
public interface VaeKernels {
  /** A short name for logs and flags: {@code portable}, {@code openblas}. */
  String name();

  /** Whether these kernels can run on the ND4J backend in use ({@link Nd4jRuntime#backend()}). */
  boolean supports(String nd4jBackend);

  /** A forward pass over {@code model}'s current parameters, with its own buffers. */
  VaeForward forward(VaeModel model);

  /** The training step for {@code model}; called once per model. */
  TrainingStep trainingStep(VaeModel model);
}
