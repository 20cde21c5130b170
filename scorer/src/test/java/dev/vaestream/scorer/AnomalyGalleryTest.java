package dev.vaestream.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.model.VaeModel;
import dev.vaestream.core.record.ScoreRecord;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class AnomalyGalleryTest {
  private static final VaeModel MODEL = VaeModel.create(5);

  private static BatchScorer.Result batch(int n, int firstId, boolean flagged) {
    return batch(n, firstId, flagged, MODEL);
  }

  private static BatchScorer.Result batch(int n, int firstId, boolean flagged, VaeModel model) {
    List<ScoreRecord> records = new ArrayList<>();
    float[] pixels = new float[n * MnistDataset.PIXELS];
    for (int i = 0; i < n; i++) {
      records.add(
          new ScoreRecord(
              new ScoreRecord.Source("id" + (firstId + i), 0, i),
              new ScoreRecord.Verdict(0.1, 0.05, flagged),
              new ScoreRecord.Model(1, 0),
              ScoreRecord.Truth.NONE,
              ScoreRecord.Timing.of(0, 0)));
      // A textured image (an all-black one gives 0.5 everywhere from any fresh model), with the
      // first pixel telling the images apart.
      for (int p = 1; p < MnistDataset.PIXELS; p++) {
        pixels[i * MnistDataset.PIXELS + p] = ((p * 37 + i * 11) % 256) / 255f;
      }
      pixels[i * MnistDataset.PIXELS] = (firstId + i) / 100f;
    }
    return new BatchScorer.Result(records, pixels, model);
  }

  @Test
  void keepsTheNewestFlaggedImagesAndRendersThreePanels() throws Exception {
    AnomalyGallery gallery = new AnomalyGallery(8);
    assertThat(gallery.png()).isNull();
    gallery.offer(batch(5, 0, false));
    assertThat(gallery.size()).isZero();
    gallery.offer(batch(5, 0, true));
    gallery.offer(batch(20, 10, true));
    assertThat(gallery.size()).isEqualTo(8);
    byte[] png = gallery.png();
    var image = ImageIO.read(new ByteArrayInputStream(png));
    // 8 images of 28 px at scale 3 side by side; three panels with 4 px gaps.
    assertThat(image.getWidth()).isEqualTo(8 * 28 * 3);
    assertThat(image.getHeight()).isEqualTo(3 * 28 * 3 + 2 * 4);
    // Newest first: the last image of the last batch (id 29) is top-left.
    int grey = image.getRGB(0, 0) & 0xff;
    assertThat(grey).isEqualTo(Math.round(0.29f * 255));
    assertThat(gallery.png()).isSameAs(png);
  }

  @Test
  void reconstructsTheKeptImagesWithTheModelThatScoredThem() {
    VaeModel other = VaeModel.create(6);
    AnomalyGallery gallery = new AnomalyGallery(4);
    BatchScorer.Result first = batch(3, 0, true);
    gallery.offer(first);
    // A new model arrives: the first batch's images are reconstructed with their own model.
    BatchScorer.Result second = batch(1, 50, true, other);
    gallery.offer(second);
    List<float[]> recon = gallery.reconstructions();
    assertThat(recon).hasSize(4);
    int px = MnistDataset.PIXELS;
    float[] expectedNewest = other.score(Arrays.copyOf(second.pixels(), px), 1).reconstructions();
    assertThat(recon.get(0)).containsExactly(expectedNewest);
    // The oldest kept (id 0) was the first batch's first image, scored by MODEL.
    float[] expectedOldest = MODEL.score(first.pixels(), 3).reconstructions();
    assertThat(recon.get(3)[100])
        .isCloseTo(expectedOldest[100], org.assertj.core.data.Offset.offset(1e-5f));
    assertThat(recon.get(3)[100])
        .isNotCloseTo(
            other.score(first.pixels(), 3).reconstructions()[100],
            org.assertj.core.data.Offset.offset(1e-7f));
  }
}
