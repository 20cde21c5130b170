package dev.vaestream.core.model;

import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Chooses the process's {@link VaeKernels} once, at the first model: the fastest implementation in
 * this build that supports the ND4J backend in use, or the one named by the system property {@value
 * #PROPERTY}.
 *
 * <p>{@code -Dvae.backend.path=portable} (e.g. in {@code VAE_JAVA_OPTS}) forces the ND4J-ops path
 * that a GPU runs, on any backend; {@code openblas} insists on the CPU build's OpenBLAS path and
 * fails at start-up where it cannot run; {@code auto} (the default) picks {@code openblas} on the
 * CPU backend when the build has it, {@code portable} otherwise.
 */
public final class ComputePath {
  /** The system property that names the path. */
  public static final String PROPERTY = "vae.backend.path";

  /** The default: the fastest available path. */
  public static final String AUTO = "auto";

  private static volatile VaeKernels current;

  private ComputePath() {}

  /**
   * The process's kernels, chosen on the first call.
   *
   * @throws UserException with {@link ExitCodes#USAGE} when {@value #PROPERTY} names a path this
   *     build or backend cannot run
   */
  public static VaeKernels current() {
    VaeKernels k = current;
    if (k == null) {
      synchronized (ComputePath.class) {
        if (current == null) {
          Nd4jRuntime.configure();
          current = select(System.getProperty(PROPERTY, AUTO), Nd4jRuntime.backend(), available());
        }
        k = current;
      }
    }
    return k;
  }

  /** The name of the process's path, e.g. {@code openblas} or {@code portable}. */
  public static String name() {
    return current().name();
  }

  /** The kernels of that name in this build, if any (tests use it to compare paths). */
  public static Optional<VaeKernels> byName(String name) {
    return available().stream().filter(k -> k.name().equals(name)).findFirst();
  }

  /** Every implementation in this build: the portable one first, then those found as services. */
  static List<VaeKernels> available() {
    List<VaeKernels> all = new ArrayList<>();
    all.add(new PortableKernels());
    ServiceLoader.load(VaeKernels.class, ComputePath.class.getClassLoader()).forEach(all::add);
    return all;
  }

  /**
   * The choice itself, for tests: {@code requested} is the property's value, {@code backend} the
   * ND4J backend ({@code cpu}, {@code cuda}), {@code available} the portable kernels first.
   */
  static VaeKernels select(String requested, String backend, List<VaeKernels> available) {
    String want = requested.trim().toLowerCase(Locale.ROOT);
    if (want.equals(AUTO) || want.isEmpty()) {
      for (VaeKernels k : available) {
        if (!k.name().equals(PortableKernels.NAME) && k.supports(backend)) {
          return k;
        }
      }
      return available.get(0);
    }
    String names =
        available.stream().map(VaeKernels::name).collect(Collectors.joining(", ", "", ", " + AUTO));
    for (VaeKernels k : available) {
      if (k.name().equals(want)) {
        if (!k.supports(backend)) {
          throw new UserException(
              "-D"
                  + PROPERTY
                  + "="
                  + requested
                  + ": the "
                  + want
                  + " path cannot run on the ND4J "
                  + backend
                  + " backend; use one of: "
                  + names,
              ExitCodes.USAGE);
        }
        return k;
      }
    }
    throw new UserException(
        "-D"
            + PROPERTY
            + "="
            + requested
            + ": no such compute path in this build (the cuda"
            + " build has only portable); use one of: "
            + names,
        ExitCodes.USAGE);
  }
}
