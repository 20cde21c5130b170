package dev.vaestream.core.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Text for logs and error messages with secrets masked. A record's generated {@code toString}
 * prints every component, so a settings record holding a key would leak it the first time someone
 * logs the settings; records that hold secrets format themselves through here instead.
 */
public final class Redaction {
  /** What a secret value is replaced with. */
  public static final String MASK = "[redacted]";

  private Redaction() {}

  /**
   * {@code record}'s {@code toString}, in the generated format, with the named components masked (a
   * null secret stays {@code null}: that it is unset is not a secret).
   */
  public static String toString(Record record, Set<String> secretComponents) {
    StringBuilder sb = new StringBuilder(record.getClass().getSimpleName()).append('[');
    RecordComponent[] components = record.getClass().getRecordComponents();
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      Object value = value(record, c);
      sb.append(i == 0 ? "" : ", ").append(c.getName()).append('=');
      sb.append(value != null && secretComponents.contains(c.getName()) ? MASK : value);
    }
    return sb.append(']').toString();
  }

  /**
   * {@code properties} with the values of secret keys ({@link KafkaClientConfig#isSecret}) masked.
   */
  public static Map<String, String> properties(Map<String, String> properties) {
    Map<String, String> out = new TreeMap<>();
    properties.forEach((k, v) -> out.put(k, KafkaClientConfig.isSecret(k) ? MASK : v));
    return out;
  }

  private static Object value(Record record, RecordComponent c) {
    try {
      return c.getAccessor().invoke(record);
    } catch (IllegalAccessException | InvocationTargetException e) {
      return "?";
    }
  }
}
