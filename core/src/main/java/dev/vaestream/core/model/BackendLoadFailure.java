package dev.vaestream.core.model;

import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import java.lang.reflect.InvocationTargetException;
import java.util.Locale;

/**
 * Turns ND4J's failure to load its backend into one message that names the problem, with exit code
 * 2 (the machine, not the data, is wrong), instead of ND4J's stack traces.
 *
 * <p>The CUDA build (ND4J 1.0.0-M2.1, {@code nd4j-cuda-11.6}) needs an NVIDIA driver for CUDA 11.6
 * ({@code libcuda.so.1}, driver 510 or newer), the CUDA 11 runtime libraries ({@code
 * libcublas.so.11}, {@code libcusolver.so.11}) on the library path, and a GPU its kernels were
 * built for (compute capability 3.7 to 8.6, and 8.9). ND4J itself only logs why it skipped the CUDA
 * backend and then reports that there is no backend; {@link #probeCuda} asks the CUDA runtime
 * first, through reflection, so that the CPU build needs none of its classes.
 */
public final class BackendLoadFailure {
  private static final String CUDA_BACKEND = "org.nd4j.linalg.jcublas.JCublasBackend";
  private static final String CUDART = "org.bytedeco.cuda.global.cudart";

  /** {@code cudaErrorInsufficientDriver}. */
  static final int CUDA_INSUFFICIENT_DRIVER = 35;

  /** {@code cudaErrorNoDevice}. */
  static final int CUDA_NO_DEVICE = 100;

  private BackendLoadFailure() {}

  /** Whether this build has ND4J's CUDA backend on the class path. */
  static boolean cudaBuild() {
    try {
      Class.forName(CUDA_BACKEND, false, BackendLoadFailure.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * In the CUDA build, loads the CUDA runtime and counts the GPUs, as ND4J's CUDA backend does
   * first, and describes what fails.
   *
   * @throws UserException with exit code 2 when the CUDA runtime cannot run here
   */
  static void probeCuda() {
    if (!cudaBuild()) {
      return;
    }
    int status;
    int devices;
    try {
      Class<?> cudart = Class.forName(CUDART, true, BackendLoadFailure.class.getClassLoader());
      int[] count = new int[1];
      status = (Integer) cudart.getMethod("cudaGetDeviceCount", int[].class).invoke(null, count);
      devices = count[0];
    } catch (InvocationTargetException e) {
      throw describe(e.getCause());
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      throw describe(e);
    }
    if (status != 0 || devices <= 0) {
      throw new UserException(
          "the ND4J backend could not load: " + deviceProblem(status, devices), ExitCodes.USAGE);
    }
  }

  /** The problem {@code cudaGetDeviceCount} reported: its status and the count. */
  static String deviceProblem(int status, int devices) {
    if (status == CUDA_INSUFFICIENT_DRIVER) {
      return "the NVIDIA driver is too old for CUDA 11.6 (cudaErrorInsufficientDriver): it needs"
          + " driver 510 or newer";
    }
    if (status == CUDA_NO_DEVICE || (status == 0 && devices <= 0)) {
      return "the NVIDIA driver found no GPU (cudaErrorNoDevice): check nvidia-smi and"
          + " CUDA_VISIBLE_DEVICES, or rebuild without -Pcuda for the CPU";
    }
    return "the CUDA runtime failed with error " + status + " while counting GPUs";
  }

  /** The user-facing error for a backend that did not load. */
  public static UserException describe(Throwable failure) {
    String chain = chain(failure).toLowerCase(Locale.ROOT);
    return new UserException(
        "the ND4J backend could not load: "
            + problem(chain, cudaBuild())
            + " ["
            + root(failure)
            + "]",
        ExitCodes.USAGE,
        failure);
  }

  /** What went wrong, from the messages of the whole cause chain (lower case). */
  static String problem(String chain, boolean cudaBuild) {
    if (chain.contains("libcuda.so") || chain.contains("nvcuda.dll")) {
      return "no NVIDIA driver found (libcuda.so.1 is missing): the CUDA build needs an NVIDIA GPU"
          + " and its driver, 510 or newer; or rebuild without -Pcuda for the CPU";
    }
    if (chain.contains("libcudart")
        || chain.contains("libcublas")
        || chain.contains("libcusolver")) {
      return "the CUDA 11 runtime libraries (libcublas.so.11, libcusolver.so.11) are not on the"
          + " library path: install the CUDA 11.6 toolkit and add its lib64 to LD_LIBRARY_PATH";
    }
    if (chain.contains("no kernel image is available")) {
      return "this GPU is not supported by ND4J 1.0.0-M2.1's CUDA kernels (built for compute"
          + " capability 3.7 to 8.6)";
    }
    if (cudaBuild || chain.contains("cuda")) {
      return "the CUDA backend did not start: the CUDA build needs an NVIDIA GPU, driver 510 or"
          + " newer and the CUDA 11.6 libraries; or rebuild without -Pcuda for the CPU";
    }
    return "no ND4J natives for this platform ("
        + System.getProperty("os.name")
        + " "
        + System.getProperty("os.arch")
        + "): rebuild on this machine, or with -Djavacpp.platform=<its platform>";
  }

  private static String chain(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null && b.length() < 20_000; c = c.getCause()) {
      b.append(c).append('\n');
      if (c.getCause() == c) {
        break;
      }
    }
    return b.toString();
  }

  /** The innermost cause, which usually names the missing library, shortened. */
  private static String root(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String s = String.valueOf(root);
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
