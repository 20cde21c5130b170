package dev.vaestream.app.archfixtures;

import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** Violation: a payload whose JSON names its own class. */
@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS)
public class PolymorphicJsonPayload {
  public String value;
}
