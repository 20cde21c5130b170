package dev.vaestream.bench;

import dev.vaestream.bench.jmh.HotPaths;
import dev.vaestream.core.cli.ExitCodes;
import java.io.PrintWriter;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * {@code bench --jmh [REGEX]}: runs the JMH benchmarks of {@code dev.vaestream.bench.jmh} through
 * JMH's {@link Runner} with short settings (3 warm-up and 3 measured iterations of 1 s), JMH's own
 * report on standard error, and one JSON line per benchmark on standard output: {@code
 * {"name":"jmh.decode","score":…,"score_error":…,"unit":"us/op",…}}.
 */
final class JmhBenchmarks {
  static final String PACKAGE = HotPaths.class.getPackageName();

  /** Images per operation of the batch benchmarks, for an images/s figure. */
  private static final Map<String, Integer> IMAGES_PER_OP =
      Map.of(
          "batch_assembly",
          32,
          "vae_model_batch",
          32,
          "forward",
          32,
          "train_step",
          32,
          "decode",
          1,
          "score_json",
          1);

  private JmhBenchmarks() {}

  static int run(String regex, int forks, PrintWriter out) throws RunnerException {
    String include =
        regex == null || regex.isBlank() ? PACKAGE.replace(".", "\\.") + "\\..*" : regex;
    Options options =
        new OptionsBuilder()
            .include(include)
            .forks(forks)
            .warmupIterations(3)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(3)
            .measurementTime(TimeValue.seconds(1))
            .threads(1)
            .shouldFailOnError(true)
            .build();
    // The facts first: every class the report needs is loaded before the long run.
    BenchContext.facts();
    CpuShare.Sample before = CpuShare.sample();
    Runner runner =
        new Runner(
            options, OutputFormatFactory.createFormatInstance(System.err, VerboseMode.NORMAL));
    Collection<RunResult> results;
    try {
      results = runner.run();
    } catch (NoBenchmarksException e) {
      results = List.of();
    }
    if (results.isEmpty()) {
      System.err.println(
          "bench: no JMH benchmark matches "
              + include
              + " (it matches method names, e.g. batchAssembly for batch_assembly)");
      return ExitCodes.USAGE;
    }
    for (RunResult r : results) {
      String method = r.getParams().getBenchmark();
      String shortName = snake(method.substring(method.lastIndexOf('.') + 1));
      Result<?> primary = r.getPrimaryResult();
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("name", "jmh." + shortName);
      line.put("score", Figures.round(primary.getScore(), 3));
      line.put("score_error", Figures.round(primary.getScoreError(), 3));
      line.put("unit", primary.getScoreUnit());
      line.put("mode", r.getParams().getMode().shortLabel());
      Integer images = IMAGES_PER_OP.get(shortName);
      if (images != null && primary.getScoreUnit().equals("us/op") && primary.getScore() > 0) {
        line.put("images_per_op", images);
        line.put("images_per_sec", Figures.rate(images * 1e6 / primary.getScore()));
      }
      line.put("benchmark", method);
      line.put("forks", forks);
      line.put("warmup", "3x1s");
      line.put("measurement", "3x1s");
      BenchContext.print(out, line, before);
    }
    return ExitCodes.OK;
  }

  /** {@code batchAssembly} to {@code batch_assembly}. */
  static String snake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }
}
