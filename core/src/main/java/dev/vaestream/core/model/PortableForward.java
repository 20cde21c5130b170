package dev.vaestream.core.model;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The forward pass as ND4J ops, on whatever backend ND4J runs: the GPU's path, and the reference
 * for the CPU's OpenBLAS pass. About 30 ND4J ops per call, each with 7-25 µs of fixed cost on the
 * CPU backend. Each instance has its own scratch workspace, so instances on different threads do
 * not share memory.
 */
final class PortableForward implements VaeForward {
  private final VaeModel model;
  private final String workspace = "vae-score-" + System.identityHashCode(this);

  PortableForward(VaeModel model) {
    this.model = model;
  }

  @Override
  public String path() {
    return PortableKernels.NAME;
  }

  @Override
  public BatchScores score(float[] images, int firstRow, int rows, boolean keepReconstructions) {
    VaeForward.checkRows(images, firstRow, rows);
    if (rows == 0) {
      return new BatchScores(new float[0], new float[0], keepReconstructions ? new float[0] : null);
    }
    INDArray batch = VaeModel.batch(images, firstRow, rows);
    BatchScores s;
    try (MemoryWorkspace ws =
        Nd4j.getWorkspaceManager().getAndActivateWorkspace(VaeModel.SCRATCH, workspace)) {
      s = model.scoreInScratch(batch);
    }
    return keepReconstructions ? s : new BatchScores(s.reconstructionError(), s.kl(), null);
  }
}
