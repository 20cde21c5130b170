package dev.vaestream.core.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Reads and writes checkpoint files; writes are atomic (temp file, then rename). */
public final class CheckpointFiles {
  private CheckpointFiles() {}

  /** Writes {@code checkpoint} to {@code file} atomically, creating parent directories. */
  public static void write(Path file, Checkpoint checkpoint, CheckpointCodec codec) {
    writeBytes(file, codec.encode(checkpoint));
  }

  /** Writes encoded checkpoint bytes to {@code file} atomically. */
  public static void writeBytes(Path file, byte[] bytes) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
      Files.write(tmp, bytes);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads and verifies a checkpoint file. */
  public static Checkpoint read(Path file, CheckpointCodec codec) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CheckpointFormatException(
          CheckpointFormatException.Reason.MISSING, "checkpoint " + file + ": no such file");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
    }
    return codec.decode(bytes, file.toString());
  }
}
