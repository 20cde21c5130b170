package dev.vaestream.scorer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.stream.Collectors;

/** The shipped JSON Schema of score records, loaded from the main resources as users get it. */
final class ScoreSchema {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonSchema SCHEMA = load();

  private ScoreSchema() {}

  private static JsonSchema load() {
    try (InputStream in =
        ScoreSchema.class.getResourceAsStream("/schema/anomaly-score.schema.json")) {
      if (in == null) {
        throw new IllegalStateException("schema/anomaly-score.schema.json not on the classpath");
      }
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The violations of {@code json}, one line each; empty when it is valid. */
  static Set<String> violations(byte[] json) {
    try {
      Set<ValidationMessage> errors = SCHEMA.validate(JSON.readTree(json));
      return errors.stream().map(ValidationMessage::getMessage).collect(Collectors.toSet());
    } catch (IOException e) {
      return Set.of("not JSON: " + e.getMessage());
    }
  }
}
