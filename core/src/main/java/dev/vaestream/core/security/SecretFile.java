package dev.vaestream.core.security;

import dev.vaestream.core.cli.UserException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a secret (the checkpoint HMAC key) from a file, so that it never appears on a command line
 * ({@code ps}) or in the environment of every child process. This is how Docker Compose and
 * Kubernetes hand secrets to containers: as files under {@code /run/secrets} or a mounted volume.
 *
 * <p>The file's content is the secret, without trailing white space or line breaks (so {@code
 * openssl rand -hex 32 > key} and {@code export KEY="$(cat key)"} give the same key). A file that
 * group or others may read is used, with a warning. A missing, unreadable or empty file is a usage
 * error (exit 2) that names the file and never prints its content.
 */
public final class SecretFile {
  private static final Logger log = LoggerFactory.getLogger(SecretFile.class);
  private static final long MAX_BYTES = 64 * 1024;

  private SecretFile() {}

  /**
   * The secret in {@code file}.
   *
   * @param flag the flag that named the file, for messages (e.g. {@code
   *     --checkpoint-hmac-key-file})
   * @throws UserException (exit 2) when the file is missing, unreadable, too large or empty
   */
  public static String read(Path file, String flag) {
    String where = flag + " " + file;
    if (Files.isDirectory(file)) {
      throw new UserException(where + " is a directory, not a key file");
    }
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new UserException(where + " is larger than " + MAX_BYTES + " bytes: not a key file");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new UserException(where + " does not exist");
    } catch (AccessDeniedException e) {
      throw new UserException(where + " cannot be read: permission denied");
    } catch (IOException e) {
      throw new UserException(where + " cannot be read: " + e.getClass().getSimpleName());
    }
    String secret = new String(bytes, StandardCharsets.UTF_8).stripTrailing();
    if (secret.isEmpty()) {
      throw new UserException(where + " is empty");
    }
    warnIfShared(file, where);
    return secret;
  }

  /**
   * The key to use: the file's when {@code file} is set (it wins over {@code key}, which may come
   * from an environment variable), else {@code key}; null when neither is set or the key is empty.
   */
  public static String keyOrFile(String key, Path file, String fileFlag) {
    if (file != null && !file.toString().isEmpty()) {
      return read(file, fileFlag);
    }
    return key == null || key.isEmpty() ? null : key;
  }

  private static void warnIfShared(Path file, String where) {
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException | IOException e) {
      return; // not a POSIX file system: nothing to check
    }
    boolean group = perms.contains(PosixFilePermission.GROUP_READ);
    boolean others = perms.contains(PosixFilePermission.OTHERS_READ);
    if (group || others) {
      log.warn(
          "{} is readable by {}: anyone who can read it can sign checkpoints; chmod 600 it",
          where,
          group && others ? "group and others" : group ? "its group" : "others");
    }
  }
}
