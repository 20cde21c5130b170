package dev.vaestream.core.model;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A native float array that OpenBLAS reads and writes (column-major activations, gradients), with a
 * heap-copy view for the Java element-wise kernels that {@link OpenBlasForward} and {@link
 * FusedTrainingStep} share; and where each parameter sits in the model's flat parameter vector. The
 * ND4J array keeps the memory alive.
 */
final class NativeColumns {
  final INDArray array;
  final FloatPointer ptr;
  final FloatBuffer buf;

  /** Allocates {@code length} floats; call outside any workspace. */
  NativeColumns(int length) {
    array = Nd4j.create(DataType.FLOAT, length);
    ptr = new FloatPointer(array.data().addressPointer());
    buf = array.data().asNioFloat();
  }

  /** A BLAS operand starting {@code offset} floats in. */
  FloatPointer at(int offset) {
    return new FloatPointer(ptr).position(offset);
  }

  /**
   * Adds a layer's bias (read from {@code params} at {@code biasOffset}) to these {@code n x cols}
   * column-major activations and applies the ReLU, in place; {@code heap} and {@code bias} are
   * scratch of at least {@code n * cols} and {@code cols} floats.
   */
  void biasRelu(FloatBuffer params, int biasOffset, int cols, int n, float[] heap, float[] bias) {
    buf.get(0, heap, 0, n * cols);
    params.get(biasOffset, bias, 0, cols);
    for (int c = 0; c < cols; c++) {
      float b = bias[c];
      for (int i = c * n, end = i + n; i < end; i++) {
        float v = heap[i] + b;
        heap[i] = v > 0f ? v : 0f;
      }
    }
    buf.put(0, heap, 0, n * cols);
  }
}
