package dev.vaestream.scorer;

import dev.vaestream.core.cli.ErrorReporting;

/**
 * Runs {@code scorer} with the given flags in its own JVM, as {@code bin/vae-stream scorer} does,
 * for tests that kill the process.
 */
public final class ScorerProcessMain {
  private ScorerProcessMain() {}

  public static void main(String[] args) {
    System.exit(ErrorReporting.commandLine(new ScorerCommand()).execute(args));
  }
}
