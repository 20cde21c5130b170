package dev.vaestream.core.cli;

import java.io.PrintStream;

/**
 * Warns on standard error when a deprecated flag spelling is used. Old spellings keep working
 * (flags are a contract: add, never rename silently); the warning names the new spelling.
 */
public final class Deprecations {
  private Deprecations() {}

  /** {@code warning: --topic is deprecated; use --input-topic}. */
  public static void flag(String oldName, String newName) {
    warn(oldName + " is deprecated; use " + newName);
  }

  /** {@code warning: <message>} on standard error. */
  public static void warn(String message) {
    PrintStream err = System.err;
    err.println("warning: " + message);
    err.flush();
  }
}
