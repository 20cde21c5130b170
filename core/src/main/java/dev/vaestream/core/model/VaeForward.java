package dev.vaestream.core.model;

/**
 * The forward pass at the posterior mean ({@link VaeModel#score}) with its own buffers, for one
 * thread. Several instances may score the same model at once from different threads while it is not
 * training; each reads the model's current parameters on every call.
 *
 * <p>Which implementation a model hands out is the {@link ComputePath}'s choice: OpenBLAS on the
 * parameters' memory on the CPU backend, ND4J ops (the path a GPU runs) otherwise. Both give the
 * same scores within float rounding.
 *
 * <p>Deterministic: the same parameters, rows and row count give the same bits. A row's result may
 * differ in the last bits between row counts (BLAS blocks differently), so callers that need
 * reproducible decisions score in blocks of a fixed size.
 */
public interface VaeForward {
  /**
   * Scores rows {@code firstRow .. firstRow + rows - 1} of {@code images} (each 784 values in [0,
   * 1], concatenated).
   *
   * @param keepReconstructions whether to return the reconstructions; null in the result otherwise
   */
  BatchScores score(float[] images, int firstRow, int rows, boolean keepReconstructions);

  /** The compute path this pass runs on, e.g. {@code openblas} or {@code portable}. */
  String path();

  /** Checks the row range of a {@link #score} call. */
  static void checkRows(float[] images, int firstRow, int rows) {
    if (rows < 0
        || firstRow < 0
        || (long) (firstRow + rows) * VaeArchitecture.INPUT > images.length) {
      throw new IllegalArgumentException(
          "rows "
              + firstRow
              + ".."
              + (firstRow + rows)
              + " of "
              + images.length / VaeArchitecture.INPUT);
    }
  }
}
