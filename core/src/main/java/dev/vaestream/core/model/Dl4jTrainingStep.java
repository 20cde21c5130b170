package dev.vaestream.core.model;

import org.deeplearning4j.nn.layers.variational.VariationalAutoencoder;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The training step as DL4J's {@code VariationalAutoencoder} layer computes it, with ND4J's Adam:
 * the reference step, and the one every backend can run.
 *
 * <p>Non-finite steps: DL4J's layer and ND4J's Adam update the parameters and Adam state in place,
 * so this step copies both before it starts (3.5 MB) and copies them back when the loss or any
 * parameter comes out non-finite. Simple and backend-neutral; the fused CPU step avoids the copy.
 */
final class Dl4jTrainingStep implements TrainingStep {
  private static final LayerWorkspaceMgr NO_WORKSPACES = LayerWorkspaceMgr.noWorkspaces();

  private final VaeModel model;
  private final String workspace = "vae-train-" + System.identityHashCode(this);
  private final INDArray paramsBackup;
  private final INDArray adamStateBackup;

  Dl4jTrainingStep(VaeModel model) {
    this.model = model;
    this.paramsBackup = model.parameterVector().dup();
    this.adamStateBackup = model.adamStateVector().dup();
  }

  @Override
  public StepResult apply(INDArray batch, int adamIteration) {
    INDArray params = model.parameterVector();
    INDArray adamState = model.adamStateVector();
    paramsBackup.assign(params);
    adamStateBackup.assign(adamState);
    double loss = update(batch, adamIteration);
    if (Double.isFinite(loss) && Double.isFinite(params.sumNumber().doubleValue())) {
      return new StepResult(loss, true);
    }
    params.assign(paramsBackup);
    adamState.assign(adamStateBackup);
    return new StepResult(loss, false);
  }

  /** The layer's gradient and ND4J's Adam, in place, unchecked; returns the loss. */
  double update(INDArray batch, int adamIteration) {
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
