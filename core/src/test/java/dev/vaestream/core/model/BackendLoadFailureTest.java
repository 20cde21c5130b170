package dev.vaestream.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The message and exit code when ND4J's backend cannot load. The failures are those the CUDA build
 * really gave on a machine without a GPU (docs/gpu.md), and those the CUDA runtime documents.
 */
class BackendLoadFailureTest {
  /** What {@code -Pcuda} printed here, on a machine with no NVIDIA driver. */
  private static final String NO_DRIVER =
      "/root/.javacpp/cache/cuda-11.6-8.3-1.5.7-linux-x86_64.jar/org/bytedeco/cuda/linux-x86_64/"
          + "libjnicudart.so: libcuda.so.1: cannot open shared object file: No such file or"
          + " directory";

  @Test
  void aMissingDriverIsNamedWithExitCode2() {
    Throwable nd4j =
        new RuntimeException(
            "Please ensure that you have an nd4j backend on your classpath",
            new ExceptionInInitializerError(new UnsatisfiedLinkError(NO_DRIVER)));
    UserException e = BackendLoadFailure.describe(nd4j);
    assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(e.getMessage())
        .contains("no NVIDIA driver found (libcuda.so.1 is missing)")
        .contains("510")
        .contains("without -Pcuda")
        .contains("libjnicudart.so: libcuda.so.1");
    assertThat(e.getMessage()).doesNotContain("\n");
  }

  @Test
  void eachKnownProblemHasItsOwnMessage() {
    assertThat(problem("UnsatisfiedLinkError: libcublas.so.11: cannot open shared object file"))
        .contains("CUDA 11 runtime libraries")
        .contains("LD_LIBRARY_PATH");
    assertThat(problem("cudaErrorNoKernelImageForDevice: no kernel image is available"))
        .contains("compute capability 3.7 to 8.6");
    assertThat(BackendLoadFailure.problem("nd4jbackend$noavailablebackendexception", true))
        .contains("the CUDA backend did not start");
    assertThat(BackendLoadFailure.problem("no jnind4jcpu in java.library.path", false))
        .contains("no ND4J natives for this platform")
        .contains("-Djavacpp.platform");
  }

  @Test
  void whatTheCudaRuntimeReportsIsNamed() {
    assertThat(BackendLoadFailure.deviceProblem(BackendLoadFailure.CUDA_INSUFFICIENT_DRIVER, 0))
        .contains("driver is too old")
        .contains("510");
    assertThat(BackendLoadFailure.deviceProblem(BackendLoadFailure.CUDA_NO_DEVICE, 0))
        .contains("found no GPU");
    assertThat(BackendLoadFailure.deviceProblem(0, 0)).contains("found no GPU");
    assertThat(BackendLoadFailure.deviceProblem(999, 0)).contains("error 999");
  }

  @Test
  void theCpuBuildHasNoCudaToProbe() {
    // The CPU build: no CUDA backend on the class path, so the probe does nothing and ND4J loads.
    assertThat(BackendLoadFailure.cudaBuild()).isFalse();
    BackendLoadFailure.probeCuda();
    assertThat(Nd4jRuntime.backend()).isEqualTo("cpu");
  }

  private static String problem(String message) {
    return BackendLoadFailure.problem(message.toLowerCase(Locale.ROOT), true);
  }
}
