package dev.vaestream.core.cli;

import java.util.function.Predicate;

/**
 * Walks an exception's cause chain. Kafka wraps the error that matters (fencing, authorization, a
 * bad config value) in one or more generic exceptions, so both classifying a failure and naming it
 * to the user need the whole chain, not the outermost exception.
 */
public final class Causes {
  private Causes() {}

  /** Whether {@code e} or one of its causes matches; false for null. */
  public static boolean any(Throwable e, Predicate<Throwable> test) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (test.test(t)) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** The innermost cause of {@code e}, or {@code e} itself when it has none. */
  public static Throwable root(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }
}
