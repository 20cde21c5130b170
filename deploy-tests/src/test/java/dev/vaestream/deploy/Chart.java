package dev.vaestream.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The chart in {@code deploy/kubernetes/vae-stream}, rendered by Helm itself (helm-java's native
 * library) as {@code helm template} would, and parsed strictly into {@link Rendered}.
 */
final class Chart {
  static final String RELEASE = "vae";
  static final String NAMESPACE = "streams";

  /**
   * The Kubernetes version rendered for (helm template's own default, 1.20, predates the chart).
   */
  static final String KUBE_VERSION = "1.31.0";

  private Chart() {}

  /** The chart directory (Maven passes it; a run from the IDE finds it from the module dir). */
  static Path dir() {
    return repoDir().resolve("deploy/kubernetes/vae-stream");
  }

  /** The repository root. */
  static Path repoDir() {
    String dir = System.getProperty("vae.repo.dir");
    Path root = dir != null ? Path.of(dir) : Path.of("").toAbsolutePath().getParent();
    if (!Files.isDirectory(root.resolve("deploy/kubernetes/vae-stream"))) {
      throw new IllegalStateException("no chart under " + root);
    }
    return root;
  }

  /** The scaled-out, secured values the chart ships as an example (and for these tests). */
  static Path scaledOutValues() {
    return dir().resolve("ci/scaled-out-values.yaml");
  }

  /** Renders with the chart's default values. */
  static Rendered defaults() {
    return render(null, Map.of());
  }

  /** Renders with the scaled-out values. */
  static Rendered scaledOut() {
    return render(scaledOutValues(), Map.of());
  }

  /** Renders with an optional values file and {@code --set} overrides, then parses strictly. */
  static Rendered render(Path valuesFile, Map<String, Object> sets) {
    return Rendered.parse(template(valuesFile, sets));
  }

  /** The raw YAML {@code helm template} prints. */
  static String template(Path valuesFile, Map<String, Object> sets) {
    TemplateCommand cmd =
        new Helm(dir())
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion(KUBE_VERSION);
    if (valuesFile != null) {
      cmd = cmd.withValuesFile(valuesFile);
    }
    for (Map.Entry<String, Object> e : new LinkedHashMap<>(sets).entrySet()) {
      cmd = cmd.set(e.getKey(), e.getValue());
    }
    return cmd.call();
  }

  private static final Map<String, Rendered> CACHE = new ConcurrentHashMap<>();

  /** The names of the values sets every test covers: the defaults and the scaled-out example. */
  static List<String> valueSetNames() {
    return List.of("defaults", "scaled-out");
  }

  /** One of {@link #valueSetNames()}, rendered once per test run. */
  static Rendered valueSet(String name) {
    return CACHE.computeIfAbsent(
        name,
        n ->
            switch (n) {
              case "defaults" -> defaults();
              case "scaled-out" -> scaledOut();
              default -> throw new IllegalArgumentException(n);
            });
  }
}
