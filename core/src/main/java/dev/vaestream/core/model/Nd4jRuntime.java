package dev.vaestream.core.model;

import dev.vaestream.core.cli.UserException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J process settings and facts. Settings: float32 by default, and ND4J's periodic {@code
 * System.gc()} off (the many small per-step arrays made it fire constantly and cost throughput).
 * The OpenMP thread count is read from {@code OMP_NUM_THREADS} when the native library loads; the
 * launcher sets it to 1 because two threads trained 2.4x slower on a 2-core machine.
 */
public final class Nd4jRuntime {
  private static volatile boolean configured;
  private static UserException loadFailure;

  private Nd4jRuntime() {}

  /** Applies the settings once per process. */
  public static void configure() {
    if (configured) {
      return;
    }
    synchronized (Nd4jRuntime.class) {
      if (!configured) {
        if (loadFailure != null) {
          // ND4J's classes are broken after a failed load: report the first cause every time.
          throw loadFailure;
        }
        try {
          loadBackend();
        } catch (UserException e) {
          loadFailure = e;
          throw e;
        }
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        Nd4j.getMemoryManager().togglePeriodicGc(false);
        configured = true;
      }
    }
  }

  /**
   * Loads the backend, failing fast with what is missing: with the {@code cuda} build and no usable
   * GPU, ND4J otherwise dies later with a native linkage error and no hint.
   *
   * @throws UserException with exit code 2 naming the problem ({@link BackendLoadFailure})
   */
  private static void loadBackend() {
    BackendLoadFailure.probeCuda();
    try {
      Nd4j.getBackend();
      Nd4j.getExecutioner();
    } catch (Throwable t) {
      throw BackendLoadFailure.describe(t);
    }
  }

  /** The ND4J backend in use, e.g. {@code cpu} or {@code cuda}. */
  public static String backend() {
    String name = Nd4j.getBackend().getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    return name.contains("cuda") || name.contains("jcublas") ? "cuda" : "cpu";
  }

  /** Machine and backend facts for logs, metric tags and benchmark output. */
  public static Map<String, Object> facts() {
    configure();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("cores", Runtime.getRuntime().availableProcessors());
    out.put("jdk", System.getProperty("java.version"));
    out.put("nd4j_backend", backend());
    out.put("compute_path", ComputePath.name());
    Object device = Nd4j.getExecutioner().getEnvironmentInformation().get("cuda.deviceName");
    out.put("device", device == null ? System.getProperty("os.arch") : device.toString());
    String omp = System.getenv("OMP_NUM_THREADS");
    out.put("omp_num_threads", omp == null ? "unset" : omp);
    return out;
  }
}
