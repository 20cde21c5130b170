package dev.vaestream.trainer;

import dev.vaestream.core.cli.ErrorReporting;

/** The trainer as a program of its own, for tests that kill it as a separate process. */
public final class TrainerMain {
  private TrainerMain() {}

  public static void main(String[] args) {
    System.exit(ErrorReporting.commandLine(new TrainerCommand()).execute(args));
  }
}
