package dev.vaestream.core.offline;

import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.data.IdxReader;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.model.VaeModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Offline evaluation on the MNIST test set: reconstruction quality, anomaly AUROC against synthetic
 * anomalies made deterministically from test digits, optionally AUROC against an
 * out-of-distribution IDX image file, and a hash of the parameters for exact comparisons.
 */
public final class Evaluation {
  private Evaluation() {}

  /** The evaluation result; field names are the JSON contract of {@code evaluate}. */
  public record Result(
      double testMse,
      double meanReconstruction,
      double meanKl,
      double aurocSynthetic,
      Map<String, Double> aurocSyntheticByKind,
      Double aurocOod,
      String paramsSha256) {

    /** The JSON object {@code evaluate} prints. */
    public Map<String, Object> toJson() {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("test_mse", testMse);
      out.put("mean_reconstruction_error", meanReconstruction);
      out.put("mean_kl", meanKl);
      out.put("auroc_synthetic", aurocSynthetic);
      out.put("auroc_synthetic_by_kind", aurocSyntheticByKind);
      if (aurocOod != null) {
        out.put("auroc_ood", aurocOod);
      }
      out.put("params_sha256", paramsSha256);
      return out;
    }
  }

  /** Seed of synthetic anomaly {@code kind} made from test image {@code index}. */
  public static long anomalySeed(AnomalyKind kind, int index) {
    return 0x5EED_0000L + 31L * index + kind.ordinal();
  }

  /** Evaluates {@code model} on {@code test}; {@code ood} may be null. */
  public static Result evaluate(VaeModel model, MnistDataset test, IdxReader.Images ood) {
    ImageScorer.Scored normal = ImageScorer.score(model, test.size(), test::image);
    Map<String, Double> byKind = new LinkedHashMap<>();
    double[] pooled = new double[test.size() * AnomalyKind.values().length];
    int k = 0;
    for (AnomalyKind kind : AnomalyKind.values()) {
      double[] scores =
          ImageScorer.score(
                  model, test.size(), i -> kind.apply(test.image(i), anomalySeed(kind, i)))
              .mse();
      byKind.put(kind.wireName(), Auroc.of(normal.mse(), scores));
      System.arraycopy(scores, 0, pooled, k, scores.length);
      k += scores.length;
    }
    Double aurocOod = null;
    if (ood != null) {
      int px = MnistDataset.PIXELS;
      double[] oodScores =
          ImageScorer.score(
                  model,
                  ood.count(),
                  i -> java.util.Arrays.copyOfRange(ood.pixels(), i * px, (i + 1) * px))
              .mse();
      aurocOod = Auroc.of(normal.mse(), oodScores);
    }
    return new Result(
        normal.meanMse(),
        normal.meanReconstruction(),
        normal.meanKl(),
        Auroc.of(normal.mse(), pooled),
        byKind,
        aurocOod,
        paramsSha256(model.parameters()));
  }

  /** SHA-256 of the parameters as little-endian float32, hex. */
  public static String paramsSha256(float[] params) {
    ByteBuffer buf = ByteBuffer.allocate(4 * params.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(params);
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(buf.array()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
