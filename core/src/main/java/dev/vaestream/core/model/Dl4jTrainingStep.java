package dev.vaestream.core.model;

import org.deeplearning4j.nn.layers.variational.VariationalAutoencoder;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The training step as DL4J's {@code VariationalAutoencoder} layer computes it, with ND4J's Adam:
 * the reference step, and the one every backend can run.
 */
final class Dl4jTrainingStep implements TrainingStep {
  private static final LayerWorkspaceMgr NO_WORKSPACES = LayerWorkspaceMgr.noWorkspaces();

  private final VaeModel model;
  private final String workspace = "vae-train-" + System.identityHashCode(this);

  Dl4jTrainingStep(VaeModel model) {
    this.model = model;
  }

  @Override
  public double apply(INDArray batch, int adamIteration) {
    VariationalAutoencoder layer = model.layer();
    try (MemoryWorkspace ws =
        Nd4j.getWorkspaceManager().getAndActivateWorkspace(VaeModel.SCRATCH, workspace)) {
      layer.setInput(batch, NO_WORKSPACES);
      layer.computeGradientAndScore(NO_WORKSPACES);
      double loss = layer.score();
      INDArray grads = layer.getGradientsViewArray();
      // The layer sums gradients over the batch; DL4J's updater divides by the batch size.
      grads.divi(batch.rows());
      model.adam().applyUpdater(grads, adamIteration, 0);
      model.parameterVector().subi(grads);
      layer.clear();
      return loss;
    }
  }
}
