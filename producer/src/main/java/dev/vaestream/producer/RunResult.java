package dev.vaestream.producer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of a producer run, printed as the last line of standard output.
 *
 * @param sent images acknowledged by Kafka
 * @param errors images that failed for good
 * @param seconds from the first send until the last acknowledgement
 */
public record RunResult(long sent, long errors, double seconds) {

  /** Acknowledged images per second over the run. */
  public double imagesPerSecond() {
    return seconds > 0 ? sent / seconds : 0;
  }

  /** The JSON fields, in a fixed order: {@code sent, seconds, images_per_sec, errors}. */
  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("sent", sent);
    json.put("seconds", round(seconds, 3));
    json.put("images_per_sec", round(imagesPerSecond(), 1));
    json.put("errors", errors);
    return json;
  }

  private static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }
}
