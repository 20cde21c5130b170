package dev.vaestream.app.archfixtures;

import java.io.File;
import java.io.IOException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/** Violation: loading a DL4J model file (Java serialization and polymorphic JSON inside). */
public final class Dl4jModelLoader {
  /** Restores a network from a file. */
  public MultiLayerNetwork load(File file) throws IOException {
    return ModelSerializer.restoreMultiLayerNetwork(file);
  }
}
