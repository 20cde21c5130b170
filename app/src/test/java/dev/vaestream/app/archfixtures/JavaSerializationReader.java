package dev.vaestream.app.archfixtures;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;

/** Violation: Java serialization of bytes from outside. */
public final class JavaSerializationReader {
  /** Reads an object from bytes: exactly what must never happen with untrusted bytes. */
  public Object read(byte[] bytes) throws IOException, ClassNotFoundException {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      return in.readObject();
    }
  }
}
