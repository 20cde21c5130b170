package dev.vaestream.core.model;

import static dev.vaestream.core.model.LayerSizes.H1;
import static dev.vaestream.core.model.LayerSizes.H2;
import static dev.vaestream.core.model.LayerSizes.H3;
import static dev.vaestream.core.model.LayerSizes.H4;
import static dev.vaestream.core.model.LayerSizes.IN;
import static dev.vaestream.core.model.LayerSizes.Z;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where each of the VAE layer's parameters starts in the model's flat parameter vector, in floats
 * (the gradient uses the same layout): the one mapping from DL4J's parameter names to memory that
 * {@link OpenBlasForward} and {@link FusedTrainingStep} both read. Weights are column-major and
 * contiguous (rows = inputs), as DL4J keeps them; the layout is checked, not assumed.
 */
record ParameterLayout(
    int e0W,
    int e0b,
    int e1W,
    int e1b,
    int meanW,
    int meanb,
    int logVarW,
    int logVarb,
    int d0W,
    int d0b,
    int d1W,
    int d1b,
    int outW,
    int outb) {

  /** The offsets of {@code model}'s parameters; fails if DL4J laid them out otherwise. */
  static ParameterLayout of(VaeModel model) {
    long base = model.parameterVector().data().addressPointer().address();
    return new ParameterLayout(
        offset(base, model.param("e0W"), IN, H1),
        offset(base, model.param("e0b"), 1, H1),
        offset(base, model.param("e1W"), H1, H2),
        offset(base, model.param("e1b"), 1, H2),
        offset(base, model.param("pZXMeanW"), H2, Z),
        offset(base, model.param("pZXMeanb"), 1, Z),
        offset(base, model.param("pZXLogStd2W"), H2, Z),
        offset(base, model.param("pZXLogStd2b"), 1, Z),
        offset(base, model.param("d0W"), Z, H3),
        offset(base, model.param("d0b"), 1, H3),
        offset(base, model.param("d1W"), H3, H4),
        offset(base, model.param("d1b"), 1, H4),
        offset(base, model.param("pXZW"), H4, IN),
        offset(base, model.param("pXZb"), 1, IN));
  }

  /**
   * Where parameter {@code view} ({@code rows x cols}; a bias is {@code 1 x cols}) starts in the
   * flat vector whose memory begins at {@code base}, in floats.
   */
  private static int offset(long base, INDArray view, int rows, int cols) {
    if (view.length() != (long) rows * cols
        || (rows > 1
            && (view.ordering() != 'f' || view.stride(0) != 1 || view.stride(1) != rows))) {
      throw new IllegalStateException("unexpected parameter layout " + view.shapeInfoToString());
    }
    long bytes = view.data().addressPointer().address() - base;
    if (bytes < 0 || bytes % Float.BYTES != 0) {
      throw new IllegalStateException("parameter view outside the parameter vector");
    }
    return (int) (bytes / Float.BYTES);
  }
}
