package dev.vaestream.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One MNIST split in memory: {@code size()} images of 28x28 unsigned bytes with their labels.
 *
 * <p>The four original IDX files are bundled as resources under {@code /mnist}, so everything runs
 * offline; {@link #load(Path, MnistSplit)} reads other IDX files with the same names.
 */
public final class MnistDataset {
  public static final int ROWS = 28;
  public static final int COLS = 28;
  public static final int PIXELS = ROWS * COLS;
  private static final String RESOURCE_DIR = "/mnist/";

  private final MnistSplit split;
  private final byte[] pixels;
  private final byte[] labels;

  private MnistDataset(MnistSplit split, byte[] pixels, byte[] labels) {
    this.split = split;
    this.pixels = pixels;
    this.labels = labels;
  }

  /** The bundled copy of a split. */
  public static MnistDataset bundled(MnistSplit split) {
    IdxReader.Images images;
    byte[] labels;
    try (InputStream in = resource(split.imagesFile())) {
      images = IdxReader.readImages(in, "bundled " + split.imagesFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (InputStream in = resource(split.labelsFile())) {
      labels = IdxReader.readLabels(in, "bundled " + split.labelsFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return of(split, images, labels, "bundled " + split.imagesFile());
  }

  /**
   * A split read from {@code dir}, which must hold the split's two IDX files under their original
   * names, gzip-compressed ({@code train-images-idx3-ubyte.gz}) or raw (without {@code .gz}).
   */
  public static MnistDataset load(Path dir, MnistSplit split) {
    if (!Files.isDirectory(dir)) {
      throw new IdxFormatException(dir.toString(), "not a directory");
    }
    Path imagesFile = existing(dir, split.imagesFile());
    Path labelsFile = existing(dir, split.labelsFile());
    return of(split, IdxReader.readImages(imagesFile), IdxReader.readLabels(labelsFile), dir + "");
  }

  /** Images and labels checked against each other. */
  public static MnistDataset of(
      MnistSplit split, IdxReader.Images images, byte[] labels, String source) {
    if (images.rows() != ROWS || images.cols() != COLS) {
      throw new IdxFormatException(
          source,
          "images are " + images.rows() + "x" + images.cols() + ", expected " + ROWS + "x" + COLS);
    }
    if (images.count() != labels.length) {
      throw new IdxFormatException(
          source, "count mismatch: " + images.count() + " images but " + labels.length + " labels");
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] > 9) {
        throw new IdxFormatException(source, "label " + labels[i] + " at index " + i + " not 0-9");
      }
    }
    return new MnistDataset(split, images.pixels(), labels);
  }

  private static Path existing(Path dir, String gzName) {
    Path gz = dir.resolve(gzName);
    if (Files.exists(gz)) {
      return gz;
    }
    Path raw = dir.resolve(gzName.substring(0, gzName.length() - ".gz".length()));
    if (Files.exists(raw)) {
      return raw;
    }
    throw new IdxFormatException(dir.toString(), "missing " + gzName + " (or its raw form)");
  }

  private static InputStream resource(String name) {
    InputStream in = MnistDataset.class.getResourceAsStream(RESOURCE_DIR + name);
    if (in == null) {
      throw new IllegalStateException("bundled MNIST resource " + RESOURCE_DIR + name + " missing");
    }
    return in;
  }

  public MnistSplit split() {
    return split;
  }

  public int size() {
    return labels.length;
  }

  public int label(int index) {
    return labels[index];
  }

  /** A copy of image {@code index}: 784 unsigned bytes, row-major. */
  public byte[] image(int index) {
    return Arrays.copyOfRange(pixels, index * PIXELS, (index + 1) * PIXELS);
  }

  /** Copies image {@code index} into {@code dest} at {@code offset}, scaled to [0, 1]. */
  public void copyScaled(int index, float[] dest, int offset) {
    int base = index * PIXELS;
    for (int p = 0; p < PIXELS; p++) {
      dest[offset + p] = (pixels[base + p] & 0xff) / 255f;
    }
  }
}
