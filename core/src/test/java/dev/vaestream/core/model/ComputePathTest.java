package dev.vaestream.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The compute paths: how one is chosen, and that the portable path (ND4J ops, what a GPU runs)
 * scores like the CPU's OpenBLAS path. Core's tests also run once more with {@code
 * -Dvae.backend.path=portable} (core/pom.xml), so every model test covers the portable path too.
 */
class ComputePathTest {
  private static MnistDataset train;

  @BeforeAll
  static void load() {
    train = MnistDataset.bundled(MnistSplit.TRAIN);
  }

  @Test
  void theProcessPathFollowsTheProperty() {
    String requested = System.getProperty(ComputePath.PROPERTY, ComputePath.AUTO);
    String expected =
        requested.equals(PortableKernels.NAME) || openBlas().isEmpty() ? "portable" : "openblas";
    VaeModel m = VaeModel.create(1);
    assertThat(ComputePath.name()).isEqualTo(expected);
    assertThat(m.computePath()).isEqualTo(expected);
    assertThat(m.forward().path()).isEqualTo(expected);
  }

  @Test
  void autoPicksOpenBlasOnTheCpuBackendAndPortableOnAnyOther() {
    assumeTrue(openBlas().isPresent(), "this build has no OpenBLAS path");
    List<VaeKernels> all = ComputePath.available();
    assertThat(all.get(0).name()).isEqualTo("portable");
    assertThat(ComputePath.select("auto", "cpu", all).name()).isEqualTo("openblas");
    assertThat(ComputePath.select("auto", "cuda", all).name()).isEqualTo("portable");
    assertThat(ComputePath.select(" Portable ", "cpu", all).name()).isEqualTo("portable");
    assertThat(ComputePath.select("openblas", "cpu", all).name()).isEqualTo("openblas");
    // A build without OpenBLAS (the cuda profile) has only the portable path.
    assertThat(ComputePath.select("auto", "cpu", List.of(new PortableKernels())).name())
        .isEqualTo("portable");
  }

  @Test
  void aPathThatCannotRunIsAUsageErrorNamingTheProperty() {
    List<VaeKernels> all = ComputePath.available();
    assertThatThrownBy(() -> ComputePath.select("openblas", "cuda", all))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("-Dvae.backend.path=openblas")
        .hasMessageContaining("cuda")
        .matches(e -> ((UserException) e).exitCode() == ExitCodes.USAGE);
    assertThatThrownBy(() -> ComputePath.select("gpu", "cpu", all))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("-Dvae.backend.path=gpu")
        .hasMessageContaining("portable")
        .matches(e -> ((UserException) e).exitCode() == ExitCodes.USAGE);
    assertThatThrownBy(() -> ComputePath.select("openblas", "cpu", List.of(new PortableKernels())))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("no such compute path in this build");
  }

  @Test
  void thePortableForwardPassScoresLikeOpenBlas() {
    VaeKernels blas = openBlas().orElse(null);
    assumeTrue(blas != null, "this build has no OpenBLAS path");
    VaeModel m = VaeModel.create(11, blas);
    float[] images = images(0, 32 * 40);
    for (int i = 0; i < 40; i++) {
      m.trainStep(VaeModel.batch(images, 32 * i, 32));
    }
    float[] test = images(5_000, 64);
    VaeForward fast = blas.forward(m);
    VaeForward portable = new PortableKernels().forward(m);
    assertThat(fast.path()).isEqualTo("openblas");
    assertThat(portable.path()).isEqualTo("portable");
    for (int rows : new int[] {1, 16, 64}) {
      BatchScores a = fast.score(test, 0, rows, true);
      BatchScores e = portable.score(test, 0, rows, true);
      assertThat(a.size()).isEqualTo(rows);
      for (int i = 0; i < rows; i++) {
        assertThat(relative(a.reconstructionError()[i], e.reconstructionError()[i]))
            .as("reconstruction error of row %d of %d", i, rows)
            .isLessThanOrEqualTo(1e-5);
        assertThat(relative(a.kl()[i], e.kl()[i]))
            .as("KL of row %d of %d", i, rows)
            .isLessThanOrEqualTo(1e-5);
        assertThat(relative(a.loss(i), e.loss(i))).isLessThanOrEqualTo(1e-5);
      }
      float[] ra = a.reconstructions();
      float[] re = e.reconstructions();
      assertThat(ra).hasSize(re.length);
      for (int i = 0; i < ra.length; i++) {
        assertThat(Math.abs(ra[i] - re[i])).isLessThanOrEqualTo(1e-5f);
      }
    }
    // Each pass also scores like the model's own entry points on its path.
    assertThat(portable.score(test, 0, 16, false).reconstructionError())
        .isEqualTo(m.scoreWithOps(VaeModel.batch(test, 16)).reconstructionError());
  }

  private static Optional<VaeKernels> openBlas() {
    return ComputePath.byName("openblas");
  }

  private static double relative(double actual, double expected) {
    return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-30);
  }

  private static float[] images(int first, int n) {
    float[] buf = new float[n * 784];
    for (int i = 0; i < n; i++) {
      train.copyScaled(first + i, buf, i * 784);
    }
    return buf;
  }
}
