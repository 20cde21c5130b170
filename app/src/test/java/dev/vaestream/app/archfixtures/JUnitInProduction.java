package dev.vaestream.app.archfixtures;

import org.junit.jupiter.api.Assertions;

/** Violates: production code that calls JUnit (an assertion library in the shipped classes). */
public final class JUnitInProduction {
  /** Checks with a test framework's assertion. */
  public void check(int value) {
    Assertions.assertTrue(value > 0);
  }
}
