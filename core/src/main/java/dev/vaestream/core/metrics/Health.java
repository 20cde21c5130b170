package dev.vaestream.core.metrics;

import java.util.Map;

/**
 * What {@code /health} answers: whether the service is healthy, a one-word status such as {@code
 * consuming} or {@code waiting for model}, and details.
 */
public record Health(boolean healthy, String status, Map<String, Object> details) {
  public static Health up(String status, Map<String, Object> details) {
    return new Health(true, status, details);
  }

  public static Health down(String status, Map<String, Object> details) {
    return new Health(false, status, details);
  }
}
