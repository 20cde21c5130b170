package dev.vaestream.app.archfixtures;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Allowed: how the product parses outside bytes, a JSON tree and explicit binary fields. */
public final class CleanReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A JSON tree: no class named by the input is ever instantiated. */
  public JsonNode json(byte[] bytes) throws IOException {
    return JSON.readTree(bytes);
  }

  /** A little-endian field at a known offset. */
  public int field(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
  }
}
