package dev.vaestream.bench.jmh;

import dev.vaestream.core.model.VaeArchitecture;
import java.nio.FloatBuffer;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The Adam update of a training step in isolation, on the model's 437,540 parameters: the profile
 * of {@code train_offline} puts almost half of a step in ND4J's {@code adam_updater} op.
 *
 * <ul>
 *   <li>{@code adamNd4j}: {@link AdamUpdater#applyUpdater} as {@code VaeModel.trainStep} calls it,
 *       then the parameter update ({@code params.subi(update)});
 *   <li>{@code adamNioLoop}: the same arithmetic (Adam with bias correction, float32) as one Java
 *       loop over the very same native arrays through their NIO views: what a fused update would
 *       cost, for comparison.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AdamUpdate {
  private static final float B1 = (float) VaeArchitecture.BETA1;
  private static final float B2 = (float) VaeArchitecture.BETA2;
  private static final float EPS = (float) VaeArchitecture.EPSILON;

  private int n;
  private INDArray params;
  private INDArray gradients;
  private INDArray work;
  private AdamUpdater adam;
  private INDArray adamState;
  private int iteration;
  private FloatBuffer p;
  private FloatBuffer g;
  private FloatBuffer m;
  private FloatBuffer v;
  private long step;

  @Setup
  public void setUp() {
    n = (int) VaeArchitecture.parameterCount();
    Nd4j.getRandom().setSeed(7);
    params = Nd4j.rand(DataType.FLOAT, 1, n).subi(0.5).muli(0.1);
    gradients = Nd4j.rand(DataType.FLOAT, 1, n).subi(0.5).muli(0.01);
    work = gradients.dup();
    adamState = Nd4j.zeros(DataType.FLOAT, 1, 2L * n);
    adam =
        new AdamUpdater(
            new Adam(
                VaeArchitecture.LEARNING_RATE,
                VaeArchitecture.BETA1,
                VaeArchitecture.BETA2,
                VaeArchitecture.EPSILON));
    adam.setStateViewArray(adamState, work.shape(), work.ordering(), true);
    p = params.data().asNioFloat();
    g = gradients.data().asNioFloat();
    FloatBuffer state = adamState.data().asNioFloat();
    m = state.duplicate().position(0).limit(n).slice();
    v = state.duplicate().position(n).limit(2 * n).slice();
  }

  @Benchmark
  public INDArray adamNd4j() {
    work.assign(gradients);
    adam.applyUpdater(work, iteration++, 0);
    return params.subi(work);
  }

  @Benchmark
  public FloatBuffer adamNioLoop() {
    step++;
    double lr = VaeArchitecture.LEARNING_RATE;
    float alpha = (float) (lr * Math.sqrt(1 - Math.pow(B2, step)) / (1 - Math.pow(B1, step)));
    for (int i = 0; i < n; i++) {
      float gi = g.get(i);
      float mi = B1 * m.get(i) + (1 - B1) * gi;
      float vi = B2 * v.get(i) + (1 - B2) * gi * gi;
      m.put(i, mi);
      v.put(i, vi);
      p.put(i, p.get(i) - alpha * mi / ((float) Math.sqrt(vi) + EPS));
    }
    return p;
  }
}
