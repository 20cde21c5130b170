package dev.vaestream.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.record.ScoreRecord;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class AnomalyGalleryTest {
  private static BatchScorer.Result batch(int n, int firstId, boolean flagged) {
    List<ScoreRecord> records = new ArrayList<>();
    float[] pixels = new float[n * MnistDataset.PIXELS];
    float[] recon = new float[n * MnistDataset.PIXELS];
    for (int i = 0; i < n; i++) {
      records.add(
          new ScoreRecord(
              new ScoreRecord.Source("id" + (firstId + i), 0, i),
              new ScoreRecord.Verdict(0.1, 0.05, flagged),
              new ScoreRecord.Model(1, 0),
              ScoreRecord.Truth.NONE,
              ScoreRecord.Timing.of(0, 0)));
      pixels[i * MnistDataset.PIXELS] = (firstId + i) / 100f;
    }
    return new BatchScorer.Result(records, pixels, recon);
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
}
