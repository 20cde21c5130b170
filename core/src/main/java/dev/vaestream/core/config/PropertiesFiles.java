package dev.vaestream.core.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Reads Java properties files given on the command line ({@code --kafka-config}, {@code
 * --stats-config}) in one way, so that every bad file fails the same way: a {@link ConfigException}
 * naming the file, which the launcher turns into exit code 2.
 */
public final class PropertiesFiles {
  private PropertiesFiles() {}

  /**
   * The properties in {@code file}, sorted by key; empty when {@code file} is null (flag not
   * given).
   *
   * @param what how the file is introduced in an error message, e.g. {@code "--stats-config"}
   * @throws ConfigException when the file is missing, unreadable or malformed; its message names
   *     {@code what} and the file
   */
  public static Map<String, String> load(Path file, String what) {
    Map<String, String> out = new TreeMap<>();
    if (file == null) {
      return out;
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      throw new ConfigException(what + " " + file + ": no such file");
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException(what + " " + file + ": " + e.getMessage());
    }
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
    return out;
  }
}
