package dev.vaestream.core.cli;

/** Exit codes shared by every command. */
public final class ExitCodes {
  /** Success, including a clean shutdown on SIGTERM or Ctrl-C. */
  public static final int OK = 0;

  /** A runtime failure: the broker went away, a send failed for good, a bug. */
  public static final int FAILURE = 1;

  /** Bad flags, files or configuration. */
  public static final int USAGE = 2;

  /** Fenced by a newer instance with the same transactional id. */
  public static final int FENCED = 3;

  private ExitCodes() {}
}
