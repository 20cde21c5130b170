package dev.vaestream.core.model;

import static dev.vaestream.core.model.LayerSizes.H1;
import static dev.vaestream.core.model.LayerSizes.H2;
import static dev.vaestream.core.model.LayerSizes.H3;
import static dev.vaestream.core.model.LayerSizes.H4;
import static dev.vaestream.core.model.LayerSizes.IN;
import static dev.vaestream.core.model.LayerSizes.Z;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasColMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The training step of DL4J's {@code VariationalAutoencoder} layer (one latent sample, ReLU encoder
 * and decoder, identity heads for the mean and log-variance, sigmoid output with summed squared
 * error) and ND4J's Adam, fused: OpenBLAS GEMMs on the parameters' memory, the element-wise parts
 * and Adam in Java loops, and the noise drawn from ND4J's generator exactly as the layer draws it.
 * About 20 calls instead of ~150 ND4J ops.
 *
 * <p>It matches DL4J's layer on the same batch and noise within float rounding ({@code
 * FusedTrainingStepTest}); it is not bit-identical to it, but deterministic itself.
 *
 * <p>Non-finite steps: the gradient goes into a scratch buffer, and {@link FiniteAdam} applies the
 * update only when it provably leaves the model finite, so a refused step has written nothing.
 */
final class FusedTrainingStep implements TrainingStep {

  private final VaeModel model;
  private final FloatPointer paramsPtr;
  private final FloatBuffer params;
  private final FiniteAdam adam;
  private final int count;

  // Where each parameter starts in the flat vector (the gradient uses the same layout).
  private final ParameterLayout layout;

  private final NativeColumns grad;
  private int capacity;
  private NativeColumns x;
  private NativeColumns a1;
  private NativeColumns a2;
  private NativeColumns mean;
  private NativeColumns logVar;
  private NativeColumns z;
  private NativeColumns d1;
  private NativeColumns d2;
  private NativeColumns out;
  private NativeColumns eps4;
  private NativeColumns eps3;
  private NativeColumns dz;
  private NativeColumns dMean;
  private NativeColumns dLogVar;
  private NativeColumns eps2;
  private NativeColumns eps1;
  private float[] heap = new float[0];
  private float[] heap2 = new float[0];
  private float[] pixels = new float[0];
  private float[] mu = new float[0];
  private float[] lv = new float[0];
  private float[] sigma2 = new float[0];
  private float[] sigma = new float[0];
  private float[] zs = new float[0];
  private float[] gz = new float[0];
  private float[] gm = new float[0];
  private float[] gv = new float[0];
  private final float[] colSum = new float[IN];

  FusedTrainingStep(VaeModel model) {
    this.model = model;
    INDArray flat = model.parameterVector();
    this.count = (int) flat.length();
    this.paramsPtr = new FloatPointer(flat.data().addressPointer());
    this.params = flat.data().asNioFloat().duplicate();
    INDArray state = model.adamStateVector();
    FloatBuffer all = state.data().asNioFloat();
    if (state.length() != 2L * count || all.position() != 0) {
      throw new IllegalStateException("unexpected Adam state layout");
    }
    this.adam =
        new FiniteAdam(
            model.adam().getConfig(),
            params,
            all.duplicate(),
            all.duplicate().position(count).slice(),
            count);
    this.layout = ParameterLayout.of(model);
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      grad = new NativeColumns(count);
    }
  }

  @Override
  public StepResult apply(INDArray batch, int adamIteration) {
    int n = batch.rows();
    double loss = lossAndGradient(batch);
    if (!Double.isFinite(loss)) {
      return new StepResult(loss, false);
    }
    boolean applied = adam.apply(grad.buf, 1f / n, adamIteration);
    return new StepResult(loss, applied);
  }

  /**
   * The same 20 GEMM calls as {@link #lossAndGradient}, on the same shapes and buffers, without the
   * element-wise work or the update: what the step would cost if only its arithmetic counted. It
   * writes only scratch buffers (activations and the gradient, which the next step overwrites).
   */
  @Override
  public double matrixProductSeconds(int n, int repeats) {
    ensureCapacity(n);
    long t0 = System.nanoTime();
    for (int r = 0; r < repeats; r++) {
      gemm(CblasTrans, x.ptr, IN, layout.e0W(), IN, H1, a1, n);
      gemm(CblasNoTrans, a1.ptr, n, layout.e1W(), H1, H2, a2, n);
      gemm(CblasNoTrans, a2.ptr, n, layout.meanW(), H2, Z, mean, n);
      gemm(CblasNoTrans, a2.ptr, n, layout.logVarW(), H2, Z, logVar, n);
      gemm(CblasNoTrans, z.ptr, n, layout.d0W(), Z, H3, d1, n);
      gemm(CblasNoTrans, d1.ptr, n, layout.d1W(), H3, H4, d2, n);
      gemm(CblasNoTrans, d2.ptr, n, layout.outW(), H4, IN, out, n);
      weightGrad(d2.ptr, out.ptr, H4, IN, layout.outW(), n);
      back(out.ptr, layout.outW(), H4, IN, eps4, n);
      weightGrad(d1.ptr, eps4.ptr, H3, H4, layout.d1W(), n);
      back(eps4.ptr, layout.d1W(), H3, H4, eps3, n);
      weightGrad(z.ptr, eps3.ptr, Z, H3, layout.d0W(), n);
      back(eps3.ptr, layout.d0W(), Z, H3, dz, n);
      weightGrad(a2.ptr, dMean.ptr, H2, Z, layout.meanW(), n);
      weightGrad(a2.ptr, dLogVar.ptr, H2, Z, layout.logVarW(), n);
      back(dMean.ptr, layout.meanW(), H2, Z, eps2, n);
      back(dLogVar.ptr, layout.logVarW(), H2, Z, eps2, n);
      weightGrad(a1.ptr, eps2.ptr, H1, H2, layout.e1W(), n);
      back(eps2.ptr, layout.e1W(), H1, H2, eps1, n);
      firstLayerWeightGrad(n);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * The batch's loss (mean per image) and, in {@link #gradient()}, its gradient summed over the
   * batch, as DL4J's layer computes them; the noise comes from ND4J's generator as the caller
   * seeded it.
   */
  double lossAndGradient(INDArray batch) {
    int n = batch.rows();
    ensureCapacity(n);
    INDArray rows =
        batch.ordering() == 'c' && !batch.isView() && batch.dataType() == DataType.FLOAT
            ? batch
            : batch.dup('c').castTo(DataType.FLOAT);
    rows.data().asNioFloat().get(0, pixels, 0, n * IN);
    x.buf.put(0, pixels, 0, n * IN);

    // Encoder: the input is row-major, i.e. a column-major 784 x n.
    gemm(CblasTrans, x.ptr, IN, layout.e0W(), IN, H1, a1, n);
    biasRelu(a1, H1, layout.e0b(), n);
    gemm(CblasNoTrans, a1.ptr, n, layout.e1W(), H1, H2, a2, n);
    biasRelu(a2, H2, layout.e1b(), n);
    gemm(CblasNoTrans, a2.ptr, n, layout.meanW(), H2, Z, mean, n);
    gemm(CblasNoTrans, a2.ptr, n, layout.logVarW(), H2, Z, logVar, n);
    mean.buf.get(0, mu, 0, n * Z);
    logVar.buf.get(0, lv, 0, n * Z);
    addBias(mu, Z, layout.meanb(), n);
    addBias(lv, Z, layout.logVarb(), n);

    // The layer's one sample: e ~ N(0, 1), c-ordered n x Z, z = mu + sigma * e.
    INDArray noise;
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      noise = Nd4j.randn(DataType.FLOAT, n, Z);
    }
    float[] e = noise.data().asFloat();
    double klTerms = 0;
    for (int c = 0; c < Z; c++) {
      for (int r = 0; r < n; r++) {
        int i = c * n + r;
        float s2 = (float) Math.exp(lv[i]);
        float s = (float) Math.sqrt(s2);
        sigma2[i] = s2;
        sigma[i] = s;
        zs[i] = s * e[r * Z + c] + mu[i];
        klTerms += 1f + lv[i] - mu[i] * mu[i] - s2;
      }
    }
    z.buf.put(0, zs, 0, n * Z);

    // Decoder and output.
    gemm(CblasNoTrans, z.ptr, n, layout.d0W(), Z, H3, d1, n);
    biasRelu(d1, H3, layout.d0b(), n);
    gemm(CblasNoTrans, d1.ptr, n, layout.d1W(), H3, H4, d2, n);
    biasRelu(d2, H4, layout.d1b(), n);
    gemm(CblasNoTrans, d2.ptr, n, layout.outW(), H4, IN, out, n);
    float[] o = heap2;
    out.buf.get(0, o, 0, n * IN);
    params.get(layout.outb(), colSum, 0, IN);
    double sse = 0;
    for (int c = 0; c < IN; c++) {
      float b = colSum[c];
      for (int r = 0, i = c * n, p = c; r < n; r++, i++, p += IN) {
        float s = (float) (1.0 / (1.0 + Math.exp(-(o[i] + b))));
        float d = s - pixels[p];
        sse += d * d;
        // d(loss)/d(pre-output): LossL2's 2 (s - x), through the sigmoid.
        o[i] = 2f * d * s * (1f - s);
      }
    }
    out.buf.put(0, o, 0, n * IN);
    double loss = -0.5 / n * klTerms + sse / n;

    // Backward. Output layer.
    weightGrad(d2.ptr, out.ptr, H4, IN, layout.outW(), n);
    biasGrad(out, IN, layout.outb(), n);
    back(out.ptr, layout.outW(), H4, IN, eps4, n);
    // Decoder.
    reluBack(eps4, d2, H4, n);
    weightGrad(d1.ptr, eps4.ptr, H3, H4, layout.d1W(), n);
    biasGrad(eps4, H4, layout.d1b(), n);
    back(eps4.ptr, layout.d1W(), H3, H4, eps3, n);
    reluBack(eps3, d1, H3, n);
    weightGrad(z.ptr, eps3.ptr, Z, H3, layout.d0W(), n);
    biasGrad(eps3, H3, layout.d0b(), n);
    back(eps3.ptr, layout.d0W(), Z, H3, dz, n);
    // The latent: d/d mu = dz + mu (KL), d/d log sigma^2 = (dz e sigma + sigma^2 - 1) / 2.
    float[] g = gz;
    dz.buf.get(0, g, 0, n * Z);
    for (int c = 0; c < Z; c++) {
      for (int r = 0; r < n; r++) {
        int i = c * n + r;
        gm[i] = g[i] + mu[i];
        gv[i] = (g[i] * e[r * Z + c] * sigma[i] + sigma2[i] - 1f) * 0.5f;
      }
    }
    dMean.buf.put(0, gm, 0, n * Z);
    dLogVar.buf.put(0, gv, 0, n * Z);
    weightGrad(a2.ptr, dMean.ptr, H2, Z, layout.meanW(), n);
    weightGrad(a2.ptr, dLogVar.ptr, H2, Z, layout.logVarW(), n);
    biasGrad(dMean, Z, layout.meanb(), n);
    biasGrad(dLogVar, Z, layout.logVarb(), n);
    back(dMean.ptr, layout.meanW(), H2, Z, eps2, n);
    cblas_sgemm(
        CblasColMajor,
        CblasNoTrans,
        CblasTrans,
        n,
        H2,
        Z,
        1f,
        dLogVar.ptr,
        n,
        at(layout.logVarW()),
        H2,
        1f,
        eps2.ptr,
        n);
    // Encoder.
    reluBack(eps2, a2, H2, n);
    weightGrad(a1.ptr, eps2.ptr, H1, H2, layout.e1W(), n);
    biasGrad(eps2, H2, layout.e1b(), n);
    back(eps2.ptr, layout.e1W(), H1, H2, eps1, n);
    reluBack(eps1, a1, H1, n);
    firstLayerWeightGrad(n);
    biasGrad(eps1, H1, layout.e0b(), n);
    return loss;
  }

  /** The last gradient, summed over the batch, in the parameter vector's layout. */
  float[] gradient() {
    float[] g = new float[count];
    grad.buf.get(0, g, 0, count);
    return g;
  }

  private FloatPointer at(int offset) {
    return new FloatPointer(paramsPtr).position(offset);
  }

  /** {@code c (n x cols) = a (n x k, or k x n transposed) * W (k x cols)}, column-major. */
  private void gemm(
      int transA, FloatPointer a, int lda, int w, int k, int cols, NativeColumns c, int n) {
    cblas_sgemm(
        CblasColMajor, transA, CblasNoTrans, n, cols, k, 1f, a, lda, at(w), k, 0f, c.ptr, n);
  }

  /**
   * The first layer's weight gradient, {@code dW (784 x H1) = x^T * eps1}: the input is row-major,
   * so unlike {@link #weightGrad} neither operand is transposed.
   */
  private void firstLayerWeightGrad(int n) {
    cblas_sgemm(
        CblasColMajor,
        CblasNoTrans,
        CblasNoTrans,
        IN,
        H1,
        n,
        1f,
        x.ptr,
        IN,
        eps1.ptr,
        n,
        0f,
        grad.at(layout.e0W()),
        IN);
  }

  /** {@code dW (k x cols) = act (n x k)^T * delta (n x cols)}, into the gradient. */
  private void weightGrad(FloatPointer act, FloatPointer delta, int k, int cols, int w, int n) {
    cblas_sgemm(
        CblasColMajor,
        CblasTrans,
        CblasNoTrans,
        k,
        cols,
        n,
        1f,
        act,
        n,
        delta,
        n,
        0f,
        grad.at(w),
        k);
  }

  /** {@code eps (n x k) = delta (n x cols) * W (k x cols)^T}. */
  private void back(FloatPointer delta, int w, int k, int cols, NativeColumns eps, int n) {
    cblas_sgemm(
        CblasColMajor,
        CblasNoTrans,
        CblasTrans,
        n,
        k,
        cols,
        1f,
        delta,
        n,
        at(w),
        k,
        0f,
        eps.ptr,
        n);
  }

  /** The bias gradient: the column sums of {@code delta}. */
  private void biasGrad(NativeColumns delta, int cols, int b, int n) {
    delta.buf.get(0, heap, 0, n * cols);
    for (int c = 0; c < cols; c++) {
      float s = 0;
      for (int i = c * n, end = i + n; i < end; i++) {
        s += heap[i];
      }
      colSum[c] = s;
    }
    grad.buf.put(b, colSum, 0, cols);
  }

  /** {@code eps *= relu'(pre)}, where the activation is positive exactly when its input was. */
  private void reluBack(NativeColumns eps, NativeColumns act, int cols, int n) {
    eps.buf.get(0, heap, 0, n * cols);
    act.buf.get(0, heap2, 0, n * cols);
    for (int i = 0; i < n * cols; i++) {
      if (!(heap2[i] > 0f)) {
        heap[i] = 0f;
      }
    }
    eps.buf.put(0, heap, 0, n * cols);
  }

  private void biasRelu(NativeColumns layer, int cols, int b, int n) {
    layer.biasRelu(params, b, cols, n, heap, colSum);
  }

  private void addBias(float[] values, int cols, int b, int n) {
    params.get(b, colSum, 0, cols);
    for (int c = 0; c < cols; c++) {
      for (int i = c * n, end = i + n; i < end; i++) {
        values[i] += colSum[c];
      }
    }
  }

  private void ensureCapacity(int rows) {
    if (rows <= capacity) {
      return;
    }
    int c = Math.max(rows, 32);
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      x = new NativeColumns(c * IN);
      a1 = new NativeColumns(c * H1);
      a2 = new NativeColumns(c * H2);
      mean = new NativeColumns(c * Z);
      logVar = new NativeColumns(c * Z);
      z = new NativeColumns(c * Z);
      d1 = new NativeColumns(c * H3);
      d2 = new NativeColumns(c * H4);
      out = new NativeColumns(c * IN);
      eps4 = new NativeColumns(c * H4);
      eps3 = new NativeColumns(c * H3);
      dz = new NativeColumns(c * Z);
      dMean = new NativeColumns(c * Z);
      dLogVar = new NativeColumns(c * Z);
      eps2 = new NativeColumns(c * H2);
      eps1 = new NativeColumns(c * H1);
    }
    heap = new float[c * IN];
    heap2 = new float[c * IN];
    pixels = new float[c * IN];
    mu = new float[c * Z];
    lv = new float[c * Z];
    sigma2 = new float[c * Z];
    sigma = new float[c * Z];
    zs = new float[c * Z];
    gz = new float[c * Z];
    gm = new float[c * Z];
    gv = new float[c * Z];
    capacity = c;
  }
}
