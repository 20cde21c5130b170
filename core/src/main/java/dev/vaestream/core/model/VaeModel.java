package dev.vaestream.core.model;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.variational.LossFunctionWrapper;
import org.deeplearning4j.nn.layers.variational.VariationalAutoencoder;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.MirroringPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossL2;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The seed's VAE on Deeplearning4j's {@code VariationalAutoencoder} layer, with the training step
 * driven here rather than by DL4J's fit loop.
 *
 * <p>Why drive the step: DL4J trains a VAE-only network through layerwise pretraining, whose Adam
 * state lives in a per-layer solver that {@code ModelSerializer} does not save, so a saved model
 * did not resume bit-exactly. Here the whole training state is explicit and small: the flat
 * parameter vector, the flat Adam state (first and second moments), and the step counter, which
 * also seeds the sampling noise. Restoring those three restores training exactly.
 *
 * <p>Loss: DL4J's layer computes summed squared error ({@code LossL2}, not {@code LossMSE}, whose
 * per-pixel mean against a summed KL collapses the model to the mean image) plus KL, per image,
 * averaged over the batch: the seed's per-pixel MSE + KL/(batch*784) objective times 784.
 *
 * <p>Not thread-safe while training: one thread trains a given instance, and nothing scores it
 * during a step. Scoring alone may happen from several threads (see {@link #forward()}).
 */
public final class VaeModel {
  /**
   * Scratch memory reused across steps: without it every intermediate array is a fresh off-heap
   * allocation, which cost as much as the arithmetic at batch 32.
   */
  static final WorkspaceConfiguration SCRATCH =
      WorkspaceConfiguration.builder()
          .initialSize(0)
          .policyAllocation(AllocationPolicy.STRICT)
          .policyLearning(LearningPolicy.FIRST_LOOP)
          .policyMirroring(MirroringPolicy.FULL)
          .policySpill(SpillPolicy.REALLOCATE)
          .build();

  private final String scoreWorkspace = "vae-score-" + System.identityHashCode(this);
  private final Object scoreLock = new Object();
  private VaeForward sharedForward;

  private final long seed;
  private final VaeKernels kernels;
  private final TrainingStep trainingStep;
  private final VariationalAutoencoder layer;
  private final INDArray params;
  private final INDArray adamState;
  private final AdamUpdater adam;
  private INDArray stepBatch;
  private long step;
  private long imagesSeen;
  private long rollbacks;

  private VaeModel(long seed, VaeKernels kernels) {
    Nd4jRuntime.configure();
    this.seed = seed;
    this.kernels = kernels;
    MultiLayerNetwork net = new MultiLayerNetwork(configuration(seed));
    net.init();
    net.initGradientsView();
    this.layer = (VariationalAutoencoder) net.getLayer(0);
    this.params = layer.params();
    if (params.length() != VaeArchitecture.parameterCount()) {
      throw new IllegalStateException(
          "DL4J built "
              + params.length()
              + " parameters, expected "
              + VaeArchitecture.parameterCount());
    }
    this.adamState = Nd4j.zeros(DataType.FLOAT, 1, 2 * params.length());
    this.adam =
        new AdamUpdater(
            new Adam(
                VaeArchitecture.LEARNING_RATE,
                VaeArchitecture.BETA1,
                VaeArchitecture.BETA2,
                VaeArchitecture.EPSILON));
    INDArray grads = layer.getGradientsViewArray();
    adam.setStateViewArray(adamState, grads.shape(), grads.ordering(), true);
    this.trainingStep = kernels.trainingStep(this);
  }

  /**
   * A freshly initialised model on the process's {@link ComputePath}; the same seed gives the same
   * initial parameters.
   */
  public static VaeModel create(long seed) {
    return new VaeModel(seed, ComputePath.current());
  }

  /** A freshly initialised model on the given kernels (tests compare paths with it). */
  static VaeModel create(long seed, VaeKernels kernels) {
    return new VaeModel(seed, kernels);
  }

  /** A model restored from its training state (see {@link #parameters()}). */
  public static VaeModel restore(
      long seed, long step, long imagesSeen, float[] parameters, float[] adamState) {
    VaeModel model = new VaeModel(seed, ComputePath.current());
    if (parameters.length != model.params.length()) {
      throw new IllegalArgumentException(
          "expected " + model.params.length() + " parameters, got " + parameters.length);
    }
    if (adamState != null) {
      if (adamState.length != model.adamState.length()) {
        throw new IllegalArgumentException(
            "expected " + model.adamState.length() + " Adam state values, got " + adamState.length);
      }
      model.adamState.assign(Nd4j.create(adamState, new long[] {1, adamState.length}, 'c'));
    }
    model.params.assign(Nd4j.create(parameters, model.params.shape(), model.params.ordering()));
    model.step = step;
    model.imagesSeen = imagesSeen;
    return model;
  }

  private static MultiLayerConfiguration configuration(long seed) {
    return new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(DataType.FLOAT)
        .weightInit(WeightInit.XAVIER)
        .list()
        .layer(
            new org.deeplearning4j.nn.conf.layers.variational.VariationalAutoencoder.Builder()
                .nIn(VaeArchitecture.INPUT)
                .nOut(VaeArchitecture.LATENT)
                .encoderLayerSizes(VaeArchitecture.ENCODER)
                .decoderLayerSizes(VaeArchitecture.DECODER)
                .activation(Activation.RELU)
                .pzxActivationFunction(Activation.IDENTITY)
                .reconstructionDistribution(
                    new LossFunctionWrapper(Activation.SIGMOID, new LossL2()))
                .build())
        .build();
  }

  /**
   * One Adam step on {@code batch} ({@code n x 784}, pixels in [0, 1]). The sampling noise is
   * seeded from the model seed and the step number, so training is reproducible and resumable. A
   * step whose loss, gradient or resulting parameters would not be finite is not applied (the
   * parameters and Adam state stay bit for bit as they were) and not counted; see {@link
   * TrainingStep} for how each compute path keeps that promise.
   */
  public StepResult trainStep(INDArray batch) {
    checkBatch(batch);
    Nd4j.getRandom().setSeed(noiseSeed());
    StepResult r = trainingStep.apply(batch, (int) step);
    if (!r.applied()) {
      rollbacks++;
      return r;
    }
    step++;
    imagesSeen += batch.rows();
    return r;
  }

  /**
   * One Adam step on rows {@code firstRow .. firstRow + rows - 1} of {@code images} (784 floats in
   * [0, 1] each), like {@link #trainStep(INDArray)}, copied into a batch array this model keeps: a
   * fresh native array per step (JavaCPP's allocation and its memory check) was a tenth of the
   * fused step's time.
   */
  public StepResult trainStep(float[] images, int firstRow, int rows) {
    if (stepBatch == null || stepBatch.rows() != rows) {
      try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        stepBatch = batch(images, firstRow, rows);
      }
    } else {
      stepBatch
          .data()
          .asNioFloat()
          .put(images, firstRow * VaeArchitecture.INPUT, rows * VaeArchitecture.INPUT);
    }
    return trainStep(stepBatch);
  }

  /**
   * Scores {@code batch} at the posterior mean: no sampling, deterministic. Calls from several
   * threads take turns; a thread that scores often should use its own {@link #forward()}.
   */
  public BatchScores score(INDArray batch) {
    checkBatch(batch);
    synchronized (scoreLock) {
      if (sharedForward == null) {
        sharedForward = forward();
      }
      if (sharedForward instanceof PortableForward) {
        return scoreWithOps(batch);
      }
      int rows = batch.rows();
      INDArray rowMajor =
          batch.ordering() == 'c' && !batch.isView() && batch.dataType() == DataType.FLOAT
              ? batch
              : batch.dup('c').castTo(DataType.FLOAT);
      float[] images = new float[rows * VaeArchitecture.INPUT];
      rowMajor.data().asNioFloat().get(0, images, 0, images.length);
      return sharedForward.score(images, 0, rows, true);
    }
  }

  /**
   * Scores the first {@code rows} row-major images of {@code images} like {@link #score(INDArray)},
   * without building an ND4J array first: on the CPU backend the pixels go straight into the
   * forward pass's own buffer.
   */
  public BatchScores score(float[] images, int rows) {
    return score(images, rows, true);
  }

  /**
   * {@link #score(float[], int)}, returning the reconstructions only when asked: copying them out
   * (784 floats per image, transposed) was a quarter of the scorer's thread when only its anomaly
   * gallery needs a few.
   */
  public BatchScores score(float[] images, int rows, boolean keepReconstructions) {
    synchronized (scoreLock) {
      if (sharedForward == null) {
        sharedForward = forward();
      }
      return sharedForward.score(images, 0, rows, keepReconstructions);
    }
  }

  /**
   * A forward pass over this model with its own buffers, for one thread: several may score at once
   * while the model is not training. It reads the current parameters on every call.
   */
  public VaeForward forward() {
    return kernels.forward(this);
  }

  /**
   * For benchmarks: seconds for {@code repeats} runs of the training step's matrix products alone
   * at batch {@code rows}, or NaN on a path that cannot separate them ({@link
   * TrainingStep#matrixProductSeconds}). Leaves the parameters and Adam state as they are.
   */
  public double matrixProductSeconds(int rows, int repeats) {
    return trainingStep.matrixProductSeconds(rows, repeats);
  }

  /** The compute path this model runs on ({@link ComputePath}). */
  public String computePath() {
    return kernels.name();
  }

  /**
   * The flat parameter vector itself (not a copy), for the kernels. Only {@link #restore} (before
   * the first step) and the training step write it: the fused step tracks its largest element.
   */
  INDArray parameterVector() {
    return params;
  }

  /** One parameter as a view into {@link #parameterVector()}, by DL4J's name (e.g. {@code e0W}). */
  INDArray param(String name) {
    return layer.getParam(name);
  }

  /** The flat Adam state itself (first moments, then second moments), for the kernels. */
  INDArray adamStateVector() {
    return adamState;
  }

  TrainingStep trainingStepForTest() {
    return trainingStep;
  }

  VariationalAutoencoder layer() {
    return layer;
  }

  AdamUpdater adam() {
    return adam;
  }

  /** The forward pass as ND4J ops in this model's scoring workspace: the portable reference. */
  BatchScores scoreWithOps(INDArray batch) {
    checkBatch(batch);
    try (MemoryWorkspace ws =
        Nd4j.getWorkspaceManager().getAndActivateWorkspace(SCRATCH, scoreWorkspace)) {
      return scoreInScratch(batch);
    }
  }

  /** The forward pass as ND4J ops, in the caller's workspace. */
  BatchScores scoreInScratch(INDArray batch) {
    checkBatch(batch);
    INDArray h = batch;
    for (int i = 0; i < VaeArchitecture.ENCODER.length; i++) {
      h = Transforms.relu(dense(h, "e" + i), false);
    }
    INDArray mean = dense(h, "pZXMean");
    INDArray logVar = dense(h, "pZXLogStd2");
    INDArray d = mean;
    for (int i = 0; i < VaeArchitecture.DECODER.length; i++) {
      d = Transforms.relu(dense(d, "d" + i), false);
    }
    INDArray recon = Transforms.sigmoid(dense(d, "pXZ"), false);

    INDArray diff = recon.sub(batch);
    INDArray sse = diff.muli(diff).sum(1);
    // KL(N(mu, sigma^2) || N(0, 1)) = -0.5 * sum(1 + log sigma^2 - mu^2 - sigma^2)
    INDArray kl =
        Transforms.exp(logVar, true).addi(mean.mul(mean)).subi(logVar).subi(1.0).sum(1).muli(0.5);
    return new BatchScores(sse.toFloatVector(), kl.toFloatVector(), recon.data().asFloat());
  }

  private INDArray dense(INDArray in, String prefix) {
    return in.mmul(layer.getParam(prefix + "W")).addiRowVector(layer.getParam(prefix + "b"));
  }

  private static void checkBatch(INDArray batch) {
    if (batch.rank() != 2 || batch.columns() != VaeArchitecture.INPUT) {
      throw new IllegalArgumentException(
          "expected a [n, "
              + VaeArchitecture.INPUT
              + "] batch, got "
              + java.util.Arrays.toString(batch.shape()));
    }
  }

  private long noiseSeed() {
    return seed ^ (step * 0x9E3779B97F4A7C15L);
  }

  /** Rows of {@code images} (each 784 floats in [0, 1], concatenated) as a batch. */
  public static INDArray batch(float[] images, int rows) {
    return batch(images, 0, rows);
  }

  /** Rows {@code firstRow .. firstRow + rows - 1} of {@code images} as a batch. */
  public static INDArray batch(float[] images, int firstRow, int rows) {
    Nd4jRuntime.configure();
    // One block copy into native memory: Nd4j.create(float[], shape) was ~8x slower.
    INDArray x = Nd4j.createUninitialized(DataType.FLOAT, rows, VaeArchitecture.INPUT);
    x.data()
        .asNioFloat()
        .put(images, firstRow * VaeArchitecture.INPUT, rows * VaeArchitecture.INPUT);
    return x;
  }

  /** A copy of the flat parameter vector, in DL4J's parameter order. */
  public float[] parameters() {
    return params.toFloatVector();
  }

  /** A copy of the flat Adam state: first moments, then second moments. */
  public float[] adamState() {
    return adamState.toFloatVector();
  }

  /** Overrides the learning rate (for tests that force divergence). */
  public void learningRate(double lr) {
    adam.getConfig().setLearningRate(lr);
  }

  /** Adam's learning rate now. */
  public double learningRate() {
    return adam.getConfig().getLearningRate();
  }

  public long seed() {
    return seed;
  }

  /** Completed training steps. */
  public long step() {
    return step;
  }

  /** Images learned from, over all completed steps. */
  public long imagesSeen() {
    return imagesSeen;
  }

  /** Steps rolled back because they produced non-finite values (not persisted). */
  public long rollbacks() {
    return rollbacks;
  }
}
