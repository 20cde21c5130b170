package dev.vaestream.core.offline;

import dev.vaestream.core.data.MnistDataset;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * The seed's view as a PNG: a grid of original images above a grid of their reconstructions,
 * separated by a thin band, optionally with a third grid (e.g. per-pixel error heatmaps).
 */
public final class ReconstructionGrid {
  private static final int GAP = 4;

  private ReconstructionGrid() {}

  /**
   * Renders {@code rows x cols} images per panel; each panel holds values in [0, 1], 784 per image,
   * row-major. Panels are stacked top to bottom. Missing images render black.
   */
  public static byte[] png(int rows, int cols, int scale, float[]... panels) {
    int side = MnistDataset.ROWS;
    int panelHeight = rows * side * scale;
    int width = cols * side * scale;
    int height = panels.length * panelHeight + (panels.length - 1) * GAP;
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.setRGB(x, y, 0x404080);
      }
    }
    for (int p = 0; p < panels.length; p++) {
      int top = p * (panelHeight + GAP);
      float[] values = panels[p];
      int images = Math.min(rows * cols, values.length / MnistDataset.PIXELS);
      for (int i = 0; i < rows * cols; i++) {
        int gx = (i % cols) * side * scale;
        int gy = top + (i / cols) * side * scale;
        for (int r = 0; r < side; r++) {
          for (int c = 0; c < side; c++) {
            float v = i < images ? values[i * MnistDataset.PIXELS + r * side + c] : 0f;
            int g = Math.max(0, Math.min(255, Math.round(v * 255)));
            int rgb = (g << 16) | (g << 8) | g;
            for (int dy = 0; dy < scale; dy++) {
              for (int dx = 0; dx < scale; dx++) {
                img.setRGB(gx + c * scale + dx, gy + r * scale + dy, rgb);
              }
            }
          }
        }
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
