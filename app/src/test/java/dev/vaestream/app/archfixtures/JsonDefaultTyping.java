package dev.vaestream.app.archfixtures;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.BasicPolymorphicTypeValidator;

/** Violation: a Jackson mapper that lets the JSON choose classes. */
public final class JsonDefaultTyping {
  /** A mapper with default typing on. */
  public ObjectMapper mapper() {
    return new ObjectMapper()
        .activateDefaultTyping(BasicPolymorphicTypeValidator.builder().build());
  }
}
