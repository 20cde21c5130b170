package dev.vaestream.app.archfixtures;

import java.beans.XMLDecoder;
import java.io.ByteArrayInputStream;

/** Violation: XML-encoded Java beans, which instantiate whatever the XML names. */
public final class XmlDecoderReader {
  /** Reads an object from XML bytes. */
  public Object read(byte[] bytes) {
    try (XMLDecoder in = new XMLDecoder(new ByteArrayInputStream(bytes))) {
      return in.readObject();
    }
  }
}
