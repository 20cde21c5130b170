package dev.vaestream.app.archfixtures;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;

/** Violation: a DL4J configuration parsed from outside JSON (polymorphic Jackson inside). */
public final class Dl4jConfigReader {
  /** Parses a configuration. */
  public MultiLayerConfiguration read(String json) {
    return MultiLayerConfiguration.fromJson(json);
  }
}
