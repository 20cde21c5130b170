package dev.vaestream.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PropertiesFilesTest {
  @TempDir Path dir;

  @Test
  void readsEveryPropertyAsAString() throws Exception {
    Path file = dir.resolve("streams.properties");
    Files.writeString(file, "# comment\nnum.stream.threads=2\nclient.id = a b\nempty=\n");
    assertThat(PropertiesFiles.load(file, "--stats-config"))
        .containsExactly(
            Map.entry("client.id", "a b"),
            Map.entry("empty", ""),
            Map.entry("num.stream.threads", "2"));
  }

  @Test
  void noFileGivenIsNoProperties() {
    assertThat(PropertiesFiles.load(null, "--stats-config")).isEmpty();
  }

  @Test
  void missingFileIsAConfigErrorNamingFlagAndFile() {
    Path missing = dir.resolve("nope.properties");
    assertThatThrownBy(() -> PropertiesFiles.load(missing, "--stats-config"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--stats-config " + missing + ": no such file");
  }

  @Test
  void directoryIsAConfigErrorNamingIt() {
    assertThatThrownBy(() -> PropertiesFiles.load(dir, "Kafka config file"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Kafka config file " + dir + ": ");
  }

  @Test
  void malformedEscapeIsAConfigErrorNamingTheFile() throws Exception {
    Path file = dir.resolve("bad.properties");
    Files.writeString(file, "key=\\uZZZZ\n");
    assertThatThrownBy(() -> PropertiesFiles.load(file, "--stats-config"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("--stats-config " + file + ": ")
        .hasMessageContaining("Malformed");
  }
}
