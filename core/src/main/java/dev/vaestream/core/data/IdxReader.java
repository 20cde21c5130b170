package dev.vaestream.core.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files MNIST ships in, gzip-compressed or raw, and checks everything it can: magic
 * number, dimensions, exact length. Every failure is an {@link IdxFormatException} naming the file,
 * because a bad data file is a user error, not a crash.
 */
public final class IdxReader {
  /** IDX type code for unsigned bytes. */
  private static final int UBYTE = 0x08;

  private static final int GZIP_MAGIC = 0x1f8b;

  private IdxReader() {}

  /** Images as one array of {@code count * rows * cols} unsigned bytes. */
  public record Images(int count, int rows, int cols, byte[] pixels) {}

  /** Reads an image file (magic 0x00000803). */
  public static Images readImages(Path file) {
    return readImages(open(file), file.toString());
  }

  /** Reads a label file (magic 0x00000801). */
  public static byte[] readLabels(Path file) {
    return readLabels(open(file), file.toString());
  }

  /** Reads an image file from a stream; {@code source} names it in errors. */
  public static Images readImages(InputStream in, String source) {
    byte[] body = decompress(in, source);
    ByteBuffer buf = header(body, source, 3);
    int count = buf.getInt();
    int rows = buf.getInt();
    int cols = buf.getInt();
    if (count < 0 || rows <= 0 || cols <= 0) {
      throw new IdxFormatException(
          source, "invalid dimensions " + count + "x" + rows + "x" + cols + " in header");
    }
    long expected = (long) count * rows * cols;
    checkLength(source, buf.remaining(), expected, count + " images of " + rows + "x" + cols);
    byte[] pixels = new byte[(int) expected];
    buf.get(pixels);
    return new Images(count, rows, cols, pixels);
  }

  /** Reads a label file from a stream; {@code source} names it in errors. */
  public static byte[] readLabels(InputStream in, String source) {
    byte[] body = decompress(in, source);
    ByteBuffer buf = header(body, source, 1);
    int count = buf.getInt();
    if (count < 0) {
      throw new IdxFormatException(source, "negative label count " + count + " in header");
    }
    checkLength(source, buf.remaining(), count, count + " labels");
    byte[] labels = new byte[count];
    buf.get(labels);
    return labels;
  }

  private static InputStream open(Path file) {
    try {
      return Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new IdxFormatException(file.toString(), "no such file");
    } catch (IOException e) {
      throw new IdxFormatException(file.toString(), "cannot read: " + e.getMessage(), e);
    }
  }

  private static byte[] decompress(InputStream raw, String source) {
    try (InputStream in = new BufferedInputStream(raw)) {
      in.mark(2);
      int b0 = in.read();
      int b1 = in.read();
      in.reset();
      boolean gzip = b0 >= 0 && b1 >= 0 && ((b0 << 8) | b1) == GZIP_MAGIC;
      if (!gzip && source.endsWith(".gz")) {
        throw new IdxFormatException(source, "not gzip (name ends in .gz but no gzip header)");
      }
      if (!gzip) {
        return in.readAllBytes();
      }
      try (InputStream gz = new GZIPInputStream(in)) {
        return gz.readAllBytes();
      }
    } catch (EOFException e) {
      throw new IdxFormatException(source, "truncated gzip stream", e);
    } catch (ZipException e) {
      throw new IdxFormatException(source, "corrupt gzip data: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new IdxFormatException(source, "cannot read: " + e.getMessage(), e);
    }
  }

  private static ByteBuffer header(byte[] body, String source, int dims) {
    int headerBytes = 4 + 4 * dims;
    if (body.length < headerBytes) {
      throw new IdxFormatException(
          source, "truncated header (" + body.length + " bytes, need " + headerBytes + ")");
    }
    ByteBuffer buf = ByteBuffer.wrap(body);
    int magic = buf.getInt();
    int expected = (UBYTE << 8) | dims;
    if (magic != expected) {
      throw new IdxFormatException(
          source,
          String.format(
              "wrong magic number 0x%08x, expected 0x%08x (%s)",
              magic, expected, dims == 3 ? "an image file" : "a label file"));
    }
    return buf;
  }

  private static void checkLength(String source, long actual, long expected, String what) {
    if (actual < expected) {
      throw new IdxFormatException(
          source,
          "truncated: header promises " + what + " (" + expected + " bytes), found " + actual);
    }
    if (actual > expected) {
      throw new IdxFormatException(
          source,
          "trailing data: header promises " + what + " (" + expected + " bytes), found " + actual);
    }
  }
}
