package dev.vaestream.app.archfixtures;

import java.io.InputStream;
import org.nd4j.common.util.SerializationUtils;

/** Violation: Java serialization through ND4J's helper. */
public final class SerializationUtilsReader {
  /** Reads an object with ND4J's SerializationUtils, i.e. an ObjectInputStream. */
  public Object read(InputStream in) {
    return SerializationUtils.readObject(in);
  }
}
