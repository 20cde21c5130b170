package dev.vaestream.core.process;

import dev.vaestream.core.model.ComputePath;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one way this code base starts a Java process: the same {@code java} as this JVM, this JVM's
 * class path unless told otherwise, ND4J on one OpenMP thread unless the environment says
 * otherwise, this JVM's compute path ({@code -Dvae.backend.path}) unless told otherwise, standard
 * input closed, and the output either appended to a log file or left to the caller as pipes. Used
 * by the demo's and the fault campaign's services, the footprint benchmark and the tests that kill
 * or signal a service.
 *
 * <p>Not thread-safe: build it on one thread, then {@link #start()}.
 */
public final class ChildJvm {
  private final String mainClass;
  private final List<String> jvmOptions = new ArrayList<>();
  private final List<String> args = new ArrayList<>();
  private final Map<String, String> env = new LinkedHashMap<>();
  private String classPath = System.getProperty("java.class.path");
  private Path logFile;
  private Path directory;

  private ChildJvm(String mainClass) {
    this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
  }

  /** A JVM that will run {@code mainClass}. */
  public static ChildJvm of(String mainClass) {
    return new ChildJvm(mainClass);
  }

  /** Maximum heap, e.g. {@code 512m}. */
  public ChildJvm heap(String maxHeap) {
    jvmOptions.add("-Xmx" + maxHeap);
    return this;
  }

  /** JVM options such as {@code -Dkey=value}, before the main class. */
  public ChildJvm jvmOptions(String... options) {
    jvmOptions.addAll(List.of(options));
    return this;
  }

  /** Another class path than this JVM's, e.g. the packaged application's. */
  public ChildJvm classPath(String classPath) {
    this.classPath = Objects.requireNonNull(classPath, "classPath");
    return this;
  }

  /** The working directory (default: this process's). */
  public ChildJvm directory(Path dir) {
    this.directory = dir;
    return this;
  }

  /** Program arguments, after the main class. */
  public ChildJvm args(List<String> more) {
    args.addAll(more);
    return this;
  }

  /** Program arguments, after the main class. */
  public ChildJvm args(String... more) {
    return args(List.of(more));
  }

  /** Variables added to this process's environment. */
  public ChildJvm env(Map<String, String> more) {
    env.putAll(more);
    return this;
  }

  /**
   * Appends standard output and error to {@code file} (its directory is created). Without it the
   * caller reads {@link Process#getInputStream()} and {@link Process#getErrorStream()}.
   */
  public ChildJvm logTo(Path file) {
    this.logFile = file;
    return this;
  }

  /** The command line {@link #start()} runs. */
  public List<String> command() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // The same compute path as this JVM: the portable and fused training steps round differently,
    // so a resumed or restarted child on another path would not continue bit for bit.
    String path = System.getProperty(ComputePath.PROPERTY);
    String flag = "-D" + ComputePath.PROPERTY + "=";
    if (path != null && jvmOptions.stream().noneMatch(o -> o.startsWith(flag))) {
      cmd.add(flag + path);
    }
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }

  /** Starts the process. */
  public Process start() throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command());
    if (directory != null) {
      pb.directory(directory.toFile());
    }
    if (logFile != null) {
      Path parent = logFile.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      pb.redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(new File(logFile.toString())));
    }
    // ND4J single-threaded unless the caller's environment says otherwise: on 2 cores two OpenMP
    // threads trained 2.4x slower (README).
    pb.environment().putIfAbsent("OMP_NUM_THREADS", "1");
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    return p;
  }
}
