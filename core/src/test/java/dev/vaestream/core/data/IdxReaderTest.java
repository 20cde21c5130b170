package dev.vaestream.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  @TempDir Path dir;

  static byte[] images(int magic, int count, int rows, int cols, int pixelBytes) {
    ByteBuffer b = ByteBuffer.allocate(16 + pixelBytes);
    b.putInt(magic).putInt(count).putInt(rows).putInt(cols);
    for (int i = 0; i < pixelBytes; i++) {
      b.put((byte) i);
    }
    return b.array();
  }

  static byte[] labels(int count, int labelBytes) {
    ByteBuffer b = ByteBuffer.allocate(8 + labelBytes);
    b.putInt(0x801).putInt(count);
    for (int i = 0; i < labelBytes; i++) {
      b.put((byte) (i % 10));
    }
    return b.array();
  }

  static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    }
    return out.toByteArray();
  }

  @Test
  void bundledSetsLoadWithTheirOriginalSizes() {
    MnistDataset train = MnistDataset.bundled(MnistSplit.TRAIN);
    MnistDataset test = MnistDataset.bundled(MnistSplit.TEST);
    assertThat(train.size()).isEqualTo(60_000);
    assertThat(test.size()).isEqualTo(10_000);
    // First training label of MNIST is a 5, first test label a 7.
    assertThat(train.label(0)).isEqualTo(5);
    assertThat(test.label(0)).isEqualTo(7);
    assertThat(train.image(0)).hasSize(784);
  }

  @Test
  void readsRawAndGzipIdentically() throws IOException {
    byte[] raw = images(0x803, 2, 28, 28, 2 * 784);
    IdxReader.Images a = IdxReader.readImages(new ByteArrayInputStream(raw), "raw");
    IdxReader.Images b = IdxReader.readImages(new ByteArrayInputStream(gzip(raw)), "x.gz");
    assertThat(a.count()).isEqualTo(2);
    assertThat(Arrays.equals(a.pixels(), b.pixels())).isTrue();
  }

  @Test
  void rejectsTruncatedImages() {
    byte[] raw = images(0x803, 2, 28, 28, 784 + 100);
    assertThatThrownBy(() -> IdxReader.readImages(new ByteArrayInputStream(raw), "imgs.idx"))
        .isInstanceOf(IdxFormatException.class)
        .hasMessageContaining("imgs.idx")
        .hasMessageContaining("truncated");
  }

  @Test
  void rejectsTruncatedHeader() {
    assertThatThrownBy(
            () -> IdxReader.readImages(new ByteArrayInputStream(new byte[6]), "short.idx"))
        .isInstanceOf(IdxFormatException.class)
        .hasMessageContaining("short.idx: truncated header");
  }

  @Test
  void rejectsTrailingData() {
    byte[] raw = images(0x803, 1, 28, 28, 784 + 3);
    assertThatThrownBy(() -> IdxReader.readImages(new ByteArrayInputStream(raw), "long.idx"))
        .hasMessageContaining("long.idx: trailing data");
  }

  @Test
  void rejectsWrongMagic() {
    byte[] raw = images(0x801, 1, 28, 28, 784);
    assertThatThrownBy(() -> IdxReader.readImages(new ByteArrayInputStream(raw), "labels.idx"))
        .isInstanceOf(IdxFormatException.class)
        .hasMessageContaining("labels.idx: wrong magic number 0x00000801, expected 0x00000803");
  }

  @Test
  void rejectsANonGzipFileNamedGz() throws IOException {
    Path f = dir.resolve("train-images-idx3-ubyte.gz");
    Files.write(f, images(0x803, 1, 28, 28, 784));
    assertThatThrownBy(() -> IdxReader.readImages(f))
        .isInstanceOf(IdxFormatException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("not gzip");
  }

  @Test
  void rejectsACutGzipStream() throws IOException {
    byte[] gz = gzip(images(0x803, 4, 28, 28, 4 * 784));
    byte[] cut = Arrays.copyOf(gz, gz.length / 2);
    assertThatThrownBy(() -> IdxReader.readImages(new ByteArrayInputStream(cut), "cut.gz"))
        .isInstanceOf(IdxFormatException.class)
        .hasMessageContaining("cut.gz")
        .hasMessageContaining("gzip");
  }

  @Test
  void rejectsImageLabelCountMismatch() throws IOException {
    Files.write(dir.resolve("t10k-images-idx3-ubyte"), images(0x803, 3, 28, 28, 3 * 784));
    Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), gzip(labels(2, 2)));
    assertThatThrownBy(() -> MnistDataset.load(dir, MnistSplit.TEST))
        .isInstanceOf(IdxFormatException.class)
        .hasMessageContaining("count mismatch: 3 images but 2 labels");
  }

  @Test
  void rejectsWrongImageSize() throws IOException {
    Files.write(dir.resolve("t10k-images-idx3-ubyte"), images(0x803, 1, 32, 32, 32 * 32));
    Files.write(dir.resolve("t10k-labels-idx1-ubyte"), labels(1, 1));
    assertThatThrownBy(() -> MnistDataset.load(dir, MnistSplit.TEST))
        .hasMessageContaining("images are 32x32, expected 28x28");
  }

  @Test
  void namesAMissingFileOrDirectory() {
    assertThatThrownBy(() -> MnistDataset.load(dir.resolve("nope"), MnistSplit.TRAIN))
        .hasMessageContaining("nope: not a directory");
    assertThatThrownBy(() -> MnistDataset.load(dir, MnistSplit.TRAIN))
        .hasMessageContaining("missing train-images-idx3-ubyte.gz");
  }

  @Test
  void loadsADirectoryOfRawFiles() throws IOException {
    Files.write(dir.resolve("t10k-images-idx3-ubyte"), images(0x803, 2, 28, 28, 2 * 784));
    Files.write(dir.resolve("t10k-labels-idx1-ubyte"), labels(2, 2));
    MnistDataset d = MnistDataset.load(dir, MnistSplit.TEST);
    assertThat(d.size()).isEqualTo(2);
    assertThat(d.label(1)).isEqualTo(1);
  }
}
