package dev.vaestream.core.data;

import java.util.Locale;

/** The two MNIST splits and the IDX file names that hold them. */
public enum MnistSplit {
  TRAIN("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
  TEST("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

  private final String imagesFile;
  private final String labelsFile;

  MnistSplit(String imagesFile, String labelsFile) {
    this.imagesFile = imagesFile;
    this.labelsFile = labelsFile;
  }

  public String imagesFile() {
    return imagesFile;
  }

  public String labelsFile() {
    return labelsFile;
  }

  /** Lower-case name used on the wire and in flags ({@code train}, {@code test}). */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code train} or {@code test}, case-insensitively. */
  public static MnistSplit fromWireName(String name) {
    for (MnistSplit s : values()) {
      if (s.wireName().equalsIgnoreCase(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown split '" + name + "' (expected train or test)");
  }
}
