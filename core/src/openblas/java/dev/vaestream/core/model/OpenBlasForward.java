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
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The forward pass on the CPU backend, calling OpenBLAS's {@code sgemm} directly on the parameters'
 * and its own buffers' native memory (the same library ND4J uses); the biases, ReLUs, KL and
 * squared error run in Java on heap copies of the small activations, and ND4J does only the output
 * sigmoid.
 *
 * <p>Why not ND4J ops ({@link PortableForward}): at batch 32 that pass was half per-op overhead (an
 * ND4J op costs 7-25 µs however small its arrays, and the pass took ~30 of them: 1.2 ms in all);
 * this one takes about 0.5 ms. It matches the portable pass within float rounding ({@code
 * ComputePathTest}).
 *
 * <p>Deterministic: the same parameters, rows and row count give the same bits.
 */
final class OpenBlasForward implements VaeForward {

  // Parameters, read in place: weights as BLAS operands, biases copied to the heap per call.
  private FloatPointer e0W;
  private FloatPointer e1W;
  private FloatPointer meanW;
  private FloatPointer logVarW;
  private FloatPointer d0W;
  private FloatPointer d1W;
  private FloatPointer outW;
  private FloatBuffer params;
  private final ParameterLayout layout;

  // Native activations, column-major (rows x width), except the input: row-major like the images.
  private int capacity;
  private NativeColumns x;
  private NativeColumns l1;
  private NativeColumns l2;
  private NativeColumns mean;
  private NativeColumns logVar;
  private NativeColumns l3;
  private NativeColumns l4;
  private NativeColumns out;
  private INDArray outRows;
  private int outRowsCount;

  // Heap scratch: the current layer's activations, the output, one layer's bias.
  private float[] heap = new float[0];
  private float[] heapMean = new float[0];
  private float[] heapLogVar = new float[0];
  private float[] heapOut = new float[0];
  private final float[] bias = new float[IN];

  OpenBlasForward(VaeModel model) {
    INDArray flatParams = model.parameterVector();
    FloatPointer all = new FloatPointer(flatParams.data().addressPointer());
    this.params = flatParams.data().asNioFloat().duplicate();
    if (params.position() != 0 || params.capacity() < VaeArchitecture.parameterCount()) {
      throw new IllegalStateException("unexpected parameter buffer layout");
    }
    layout = ParameterLayout.of(model);
    e0W = new FloatPointer(all).position(layout.e0W());
    e1W = new FloatPointer(all).position(layout.e1W());
    meanW = new FloatPointer(all).position(layout.meanW());
    logVarW = new FloatPointer(all).position(layout.logVarW());
    d0W = new FloatPointer(all).position(layout.d0W());
    d1W = new FloatPointer(all).position(layout.d1W());
    outW = new FloatPointer(all).position(layout.outW());
  }

  @Override
  public String path() {
    return OpenBlasKernels.NAME;
  }

  @Override
  public BatchScores score(float[] images, int firstRow, int rows, boolean keepReconstructions) {
    VaeForward.checkRows(images, firstRow, rows);
    if (rows == 0) {
      return new BatchScores(new float[0], new float[0], keepReconstructions ? new float[0] : null);
    }
    ensureCapacity(rows);
    int n = rows;
    x.buf.put(0, images, firstRow * IN, n * IN);

    // Encoder. The input is row-major, i.e. a column-major 784 x n: hence the transpose.
    gemm(CblasTrans, x.ptr, IN, e0W, IN, H1, l1.ptr, 0f, n);
    biasRelu(l1, H1, layout.e0b(), n);
    gemm(CblasNoTrans, l1.ptr, n, e1W, H1, H2, l2.ptr, 0f, n);
    biasRelu(l2, H2, layout.e1b(), n);

    // Posterior mean and log-variance; KL(N(mu, sigma^2) || N(0, 1)) per image.
    gemm(CblasNoTrans, l2.ptr, n, meanW, H2, Z, mean.ptr, 0f, n);
    gemm(CblasNoTrans, l2.ptr, n, logVarW, H2, Z, logVar.ptr, 0f, n);
    mean.buf.get(0, heapMean, 0, n * Z);
    logVar.buf.get(0, heapLogVar, 0, n * Z);
    float[] kl = new float[n];
    float[] logVarBias = new float[Z];
    params.get(layout.meanb(), bias, 0, Z);
    params.get(layout.logVarb(), logVarBias, 0, Z);
    for (int c = 0; c < Z; c++) {
      float mb = bias[c];
      float lb = logVarBias[c];
      for (int r = 0, i = c * n; r < n; r++, i++) {
        float m = heapMean[i] + mb;
        float v = heapLogVar[i] + lb;
        heapMean[i] = m;
        kl[r] += (float) Math.exp(v) + m * m - v - 1f;
      }
    }
    for (int r = 0; r < n; r++) {
      kl[r] *= 0.5f;
    }
    mean.buf.put(0, heapMean, 0, n * Z);

    // Decoder from the mean.
    gemm(CblasNoTrans, mean.ptr, n, d0W, Z, H3, l3.ptr, 0f, n);
    biasRelu(l3, H3, layout.d0b(), n);
    gemm(CblasNoTrans, l3.ptr, n, d1W, H3, H4, l4.ptr, 0f, n);
    biasRelu(l4, H4, layout.d1b(), n);

    // Output layer, with the bias preloaded and added by the GEMM, then the sigmoid. Column-major
    // like the others: computing it transposed (row-major rows) was 40 us slower in OpenBLAS.
    params.get(layout.outb(), bias, 0, IN);
    for (int c = 0; c < IN; c++) {
      Arrays.fill(heapOut, c * n, (c + 1) * n, bias[c]);
    }
    out.buf.put(0, heapOut, 0, n * IN);
    gemm(CblasNoTrans, l4.ptr, n, outW, H4, IN, out.ptr, 1f, n);
    Transforms.sigmoid(outRows(n), false);
    out.buf.get(0, heapOut, 0, n * IN);

    // In strips of 16 rows, like the transpose below: a whole column at a time strided 784 floats
    // through the images per read and was a fifth of the scorer's thread. Each row still sums its
    // pixels in order, so the result is bit for bit the same.
    float[] sse = new float[n];
    for (int r0 = 0; r0 < n; r0 += 16) {
      int r1 = Math.min(n, r0 + 16);
      for (int c = 0; c < IN; c++) {
        for (int r = r0, i = c * n + r0, p = (firstRow + r0) * IN + c; r < r1; r++, i++, p += IN) {
          float d = heapOut[i] - images[p];
          sse[r] += d * d;
        }
      }
    }
    float[] recon = null;
    if (keepReconstructions) {
      // Transposed to row-major in strips of 16 rows: a row at a time strides n floats per read.
      recon = new float[n * IN];
      for (int r0 = 0; r0 < n; r0 += 16) {
        int r1 = Math.min(n, r0 + 16);
        for (int c = 0; c < IN; c++) {
          for (int r = r0, i = c * n + r0; r < r1; r++, i++) {
            recon[r * IN + c] = heapOut[i];
          }
        }
      }
    }
    return new BatchScores(sse, kl, recon);
  }

  /** {@code c (n x cols) = a (n x k, or k x n transposed) * w (k x cols)}, column-major. */
  private static void gemm(
      int transA,
      FloatPointer a,
      int lda,
      FloatPointer w,
      int k,
      int cols,
      FloatPointer c,
      float beta,
      int n) {
    cblas_sgemm(CblasColMajor, transA, CblasNoTrans, n, cols, k, 1f, a, lda, w, k, beta, c, n);
  }

  /** Adds a layer's bias to its column-major activations and applies the ReLU, in place. */
  private void biasRelu(NativeColumns layer, int cols, int biasOffset, int n) {
    layer.biasRelu(params, biasOffset, cols, n, heap, bias);
  }

  /** The output of {@code n} rows as one array, for ND4J's sigmoid. */
  private INDArray outRows(int n) {
    if (n != outRowsCount) {
      try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        outRows = out.array.get(NDArrayIndex.interval(0, (long) n * IN));
      }
      outRowsCount = n;
    }
    return outRows;
  }

  private void ensureCapacity(int rows) {
    if (rows <= capacity) {
      return;
    }
    int c = Math.max(rows, 2 * capacity);
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      x = new NativeColumns(c * IN);
      l1 = new NativeColumns(c * H1);
      l2 = new NativeColumns(c * H2);
      mean = new NativeColumns(c * Z);
      logVar = new NativeColumns(c * Z);
      l3 = new NativeColumns(c * H3);
      l4 = new NativeColumns(c * H4);
      out = new NativeColumns(c * IN);
    }
    heap = new float[c * Math.max(H1, H4)];
    heapMean = new float[c * Z];
    heapLogVar = new float[c * Z];
    heapOut = new float[c * IN];
    outRowsCount = 0;
    capacity = c;
  }
}
