package dev.vaestream.producer;

import dev.vaestream.core.cli.ErrorReporting;

/** The producer as a program of its own, for tests that signal it as a separate process. */
public final class ProducerMain {
  private ProducerMain() {}

  public static void main(String[] args) {
    System.exit(ErrorReporting.commandLine(new ProducerCommand()).execute(args));
  }
}
