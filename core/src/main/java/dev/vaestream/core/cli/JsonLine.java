package dev.vaestream.core.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.util.Map;

/** Prints a command's JSON result as one line on standard output (always the last line). */
public final class JsonLine {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private JsonLine() {}

  /** One line of JSON for {@code value} (a map keeps its insertion order). */
  public static String of(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise result", e);
    }
  }

  /** Prints {@code result} to {@code out} and flushes. */
  public static void print(PrintStream out, Map<String, ?> result) {
    out.println(of(result));
    out.flush();
  }
}
