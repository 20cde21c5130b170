package dev.vaestream.core.model;

import java.nio.FloatBuffer;
import org.nd4j.linalg.learning.config.Adam;

/**
 * ND4J's Adam update in one Java pass over the parameters' own memory, which is applied only when
 * it cannot make the model non-finite: the fused step's way to never apply a non-finite step
 * without copying 3.5 MB of parameters and Adam state on every step.
 *
 * <p>The gradient is in a scratch buffer, so nothing is written until {@link #apply}. Before it
 * writes, {@code apply} checks three cheap things and refuses the step (writing nothing) unless all
 * hold:
 *
 * <ol>
 *   <li>every batch-mean gradient element is finite and {@code |g| <= }{@value #MAX_GRADIENT} (one
 *       read of the 1.75 MB gradient), so {@code g * g <= 1e36} is finite too;
 *   <li>{@code P <= }{@value #MAX_PARAMETER}, where {@code P} is the largest {@code |parameter|}
 *       now;
 *   <li>{@code alpha * max(M, G) / eps <= }{@value #MAX_PARAMETER}, where {@code M} is the largest
 *       {@code |first moment|} now, {@code G} the largest {@code |g|} and {@code alpha} this step's
 *       bias-corrected learning rate.
 * </ol>
 *
 * <p>{@code P} and {@code M} are measured once, at the first step, and after that taken from the
 * previous update's own loop (two running maxima), so they cost no extra pass.
 *
 * <p>Why that suffices, element by element, for finite inputs: {@code m' = b1 m + (1 - b1) g} is a
 * convex combination, so {@code |m'| <= max(M, G)}; {@code v' = b2 v + (1 - b2) g^2 <= max(v, g^2)}
 * is finite, and {@code sqrt(v') + eps >= eps > 0}, so the division is by a positive number; {@code
 * |m' alpha / (sqrt(v') + eps)| <= alpha max(M, G) / eps <= 1e37}; and {@code |p - update| <=
 * 2e37}, far below {@code Float.MAX_VALUE} (3.4e38). Float rounding adds at most an ulp to each
 * bound. So a step that passes is finite everywhere and needs no undo, and one that fails never
 * wrote anything; the loss is checked by the caller. The bounds are many orders of magnitude above
 * a training run's values, so they refuse only steps that diverge.
 */
final class FiniteAdam {
  /** The largest batch-mean gradient element a step may apply: its square is finite. */
  static final float MAX_GRADIENT = 1e18f;

  /** The largest parameter, and update bound, a step may start from: their sum is finite. */
  static final float MAX_PARAMETER = 1e37f;

  /** Elements per chunk: the chunk's four arrays stay in the L1 cache, the loop vectorises. */
  private static final int CHUNK = 1024;

  private final Adam config;
  private final FloatBuffer params;
  private final FloatBuffer adamM;
  private final FloatBuffer adamV;
  private final int count;
  private final float[] chunkG = new float[CHUNK];
  private final float[] chunkM = new float[CHUNK];
  private final float[] chunkV = new float[CHUNK];
  private final float[] chunkP = new float[CHUNK];
  private boolean boundsKnown;
  private float maxParameter;
  private float maxMoment;

  /**
   * @param config ND4J's Adam settings (read on every step: tests change the learning rate)
   * @param params the flat parameters, updated in place
   * @param adamM the first moments, same layout
   * @param adamV the second moments, same layout
   */
  FiniteAdam(Adam config, FloatBuffer params, FloatBuffer adamM, FloatBuffer adamV, int count) {
    this.config = config;
    this.params = params;
    this.adamM = adamM;
    this.adamV = adamV;
    this.count = count;
  }

  /**
   * Applies one update with the gradient {@code scale * summed} if it provably leaves every value
   * finite (see the class comment); otherwise writes nothing.
   *
   * @return whether the update was applied
   */
  boolean apply(FloatBuffer summed, float scale, int iteration) {
    float maxGradient = maxAbs(summed) * scale;
    if (!(maxGradient <= MAX_GRADIENT)) {
      return false;
    }
    if (!boundsKnown) {
      // Measured once: after a restore the parameters and moments come from a checkpoint.
      maxParameter = maxAbs(params);
      maxMoment = maxAbs(adamM);
      boundsKnown = true;
    }
    float alpha = alpha(iteration);
    double updateBound =
        (double) alpha * Math.max(maxMoment, maxGradient) / (float) config.getEpsilon();
    if (!(maxParameter <= MAX_PARAMETER) || !(updateBound <= MAX_PARAMETER)) {
      return false;
    }
    update(summed, scale, alpha);
    return true;
  }

  /** The largest |element|; NaN if any element is NaN (Math.max propagates it). */
  private float maxAbs(FloatBuffer b) {
    float max = 0f;
    float[] chunk = chunkG;
    for (int off = 0; off < count; off += CHUNK) {
      int len = Math.min(CHUNK, count - off);
      b.get(off, chunk, 0, len);
      for (int i = 0; i < len; i++) {
        max = Math.max(max, Math.abs(chunk[i]));
      }
    }
    return max;
  }

  /** ND4J's step size for this iteration, with its bias correction, as ND4J computes it. */
  private float alpha(int iteration) {
    double lr = config.getLearningRate(iteration, 0);
    double alpha =
        lr
            * Math.sqrt(1 - Math.pow(config.getBeta2(), iteration + 1))
            / (1 - Math.pow(config.getBeta1(), iteration + 1));
    if (Double.isNaN(alpha) || alpha == 0 || Double.isInfinite(alpha)) {
      alpha = config.getEpsilon();
    }
    return (float) alpha;
  }

  /**
   * ND4J's Adam arithmetic, then {@code params -= update}, in one pass over L1-sized chunks;
   * records the new largest |parameter| and |first moment| for the next step's check.
   */
  private void update(FloatBuffer summed, float scale, float a) {
    float b1 = (float) config.getBeta1();
    float b2 = (float) config.getBeta2();
    float eps = (float) config.getEpsilon();
    float c1 = 1f - b1;
    float c2 = 1f - b2;
    float[] cg = chunkG;
    float[] cm = chunkM;
    float[] cv = chunkV;
    float[] cp = chunkP;
    float maxP = 0f;
    float maxM = 0f;
    for (int off = 0; off < count; off += CHUNK) {
      int len = Math.min(CHUNK, count - off);
      summed.get(off, cg, 0, len);
      adamM.get(off, cm, 0, len);
      adamV.get(off, cv, 0, len);
      params.get(off, cp, 0, len);
      for (int i = 0; i < len; i++) {
        float g = cg[i] * scale;
        float m = b1 * cm[i] + c1 * g;
        float v = b2 * cv[i] + c2 * g * g;
        float p = cp[i] - m * a / ((float) Math.sqrt(v) + eps);
        cm[i] = m;
        cv[i] = v;
        cp[i] = p;
        maxM = Math.max(maxM, Math.abs(m));
        maxP = Math.max(maxP, Math.abs(p));
      }
      adamM.put(off, cm, 0, len);
      adamV.put(off, cv, 0, len);
      params.put(off, cp, 0, len);
    }
    maxMoment = maxM;
    maxParameter = maxP;
  }
}
