package dev.vaestream.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class SecretFileTest {
  private static final String FLAG = "--checkpoint-hmac-key-file";

  @TempDir Path dir;

  private Path file(String content, String mode) throws Exception {
    Path f = dir.resolve("key");
    Files.writeString(f, content);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  @Test
  void readsTheKeyWithoutTheTrailingNewline() throws Exception {
    assertThat(SecretFile.read(file("s3cret-key\n", "rw-------"), FLAG)).isEqualTo("s3cret-key");
  }

  @Test
  void theFileWinsOverTheKeyAndNeitherMeansUnsigned() throws Exception {
    Path f = file("from-file", "rw-------");
    assertThat(SecretFile.keyOrFile("from-env", f, FLAG)).isEqualTo("from-file");
    assertThat(SecretFile.keyOrFile("from-env", null, FLAG)).isEqualTo("from-env");
    assertThat(SecretFile.keyOrFile("", null, FLAG)).isNull();
    assertThat(SecretFile.keyOrFile(null, null, FLAG)).isNull();
  }

  @Test
  void missingEmptyOrDirectoryIsExitTwoNamingTheFile() throws Exception {
    Path missing = dir.resolve("nope");
    assertThatThrownBy(() -> SecretFile.read(missing, FLAG))
        .isInstanceOfSatisfying(
            UserException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE))
        .hasMessage(FLAG + " " + missing + " does not exist");
    Path empty = file(" \n\n", "rw-------");
    assertThatThrownBy(() -> SecretFile.read(empty, FLAG))
        .hasMessage(FLAG + " " + empty + " is empty");
    assertThatThrownBy(() -> SecretFile.read(dir, FLAG)).hasMessageContaining("is a directory");
  }

  @Test
  void unreadableIsExitTwoWithoutTheContent() throws Exception {
    Path f = file("hidden-secret", "---------");
    if (Files.isReadable(f)) {
      return; // running as root: permissions do not stop reading
    }
    assertThatThrownBy(() -> SecretFile.read(f, FLAG))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("permission denied")
        .hasMessageNotContaining("hidden-secret");
  }

  @Test
  void warnsWhenGroupOrOthersMayReadIt() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(SecretFile.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    logger.addAppender(events);
    try {
      SecretFile.read(file("k1", "rw-------"), FLAG);
      assertThat(events.list).isEmpty();
      SecretFile.read(file("k2", "rw-r--r--"), FLAG);
      assertThat(events.list)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.getFormattedMessage())
                    .contains("readable by group and others", "chmod 600")
                    .doesNotContain("k2");
              });
    } finally {
      logger.detachAppender(events);
    }
  }
}
