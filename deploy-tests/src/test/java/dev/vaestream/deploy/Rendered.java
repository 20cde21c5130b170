package dev.vaestream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the chart rendered: each object as parsed YAML (for generic checks) and as its strict typed
 * model (which fails on unknown fields, see {@link StrictYaml}).
 */
final class Rendered {
  /** One rendered object. */
  record Doc(JsonNode yaml, Object model) {
    String kind() {
      return yaml.path("kind").asText();
    }

    String name() {
      return yaml.path("metadata").path("name").asText();
    }
  }

  private final String text;
  private final List<Doc> objects;

  private Rendered(String text, List<Doc> objects) {
    this.text = text;
    this.objects = List.copyOf(objects);
  }

  static Rendered parse(String text) {
    List<Doc> out = new ArrayList<>();
    try (MappingIterator<JsonNode> docs =
        StrictYaml.YAML.readerFor(JsonNode.class).readValues(text)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc == null || doc.isNull() || doc.isEmpty()) {
          continue;
        }
        out.add(new Doc(doc, StrictYaml.parse(doc)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Rendered(text, out);
  }

  /** The YAML Helm printed. */
  String text() {
    return text;
  }

  List<Doc> objects() {
    return objects;
  }

  /** Every object's model of {@code type}. */
  <T> List<T> all(Class<T> type) {
    return objects.stream().map(Doc::model).filter(type::isInstance).map(type::cast).toList();
  }

  /** The one object of {@code type} whose name ends with {@code suffix}. */
  <T> T one(Class<T> type, String suffix) {
    List<T> found =
        objects.stream()
            .filter(o -> type.isInstance(o.model()) && o.name().endsWith(suffix))
            .map(o -> type.cast(o.model()))
            .toList();
    if (found.size() != 1) {
      throw new AssertionError(
          "expected one " + type.getSimpleName() + " named *" + suffix + ", found " + found.size());
    }
    return found.get(0);
  }

  <T> Optional<T> find(Class<T> type, String suffix) {
    return objects.stream()
        .filter(o -> type.isInstance(o.model()) && o.name().endsWith(suffix))
        .map(o -> type.cast(o.model()))
        .findFirst();
  }
}
