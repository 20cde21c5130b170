package dev.vaestream.app.archfixtures;

import dev.vaestream.testsupport.KafkaBrokerExtension;

/** Violates: a service class that reaches into the test-only helpers. */
public final class TestSupportInService {
  /** The test helper a service must never ship with. */
  public Class<?> helper() {
    return KafkaBrokerExtension.class;
  }
}
