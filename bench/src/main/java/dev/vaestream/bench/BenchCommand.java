package dev.vaestream.bench;

import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** The benchmark suite: not landed yet; the command says so instead of pretending to measure. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Run the benchmarks (not available in this build yet).")
public final class BenchCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(
        "the benchmark suite is not in this build yet; see README (Performance) for the per-module"
            + " benchmark mains",
        ExitCodes.FAILURE);
  }
}
