package dev.vaestream.trainer;

import dev.vaestream.core.offline.ReconstructionGrid;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code /reconstructions.png}: the last checkpoint's recent images beside their reconstructions.
 * The training loop hands over the raw pixels once per checkpoint ({@link #show}); the PNG is
 * rendered by the HTTP thread that asks for it (tens of ms) and kept until the next checkpoint.
 */
final class ReconstructionsPage {
  private static final int GRID = 8;

  /** Images and their reconstructions, row-major, 784 values per image. */
  record Recent(float[] images, float[] reconstructions) {}

  private final AtomicReference<Recent> recent = new AtomicReference<>();
  private Recent renderedFrom;
  private byte[] png;

  /** Shows {@code images} from now on (called when their checkpoint is published). */
  void show(Recent images) {
    recent.set(images);
  }

  /** The PNG of the last checkpoint's images and reconstructions; null before the first. */
  synchronized byte[] png() {
    Recent r = recent.get();
    if (r == null) {
      return null;
    }
    if (r != renderedFrom) {
      png = ReconstructionGrid.png(GRID, GRID, 2, r.images(), r.reconstructions());
      renderedFrom = r;
    }
    return png;
  }
}
