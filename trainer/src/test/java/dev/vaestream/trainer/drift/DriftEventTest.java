package dev.vaestream.trainer.drift;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vaestream.core.checkpoint.InputOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The event's JSON: the fields of docs/formats.md, the input detector's added compatibly. */
class DriftEventTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void anInputDetectionSaysSoWithBothInkLevels() throws Exception {
    DriftEvent e =
        new DriftEvent(
            2,
            3125,
            100_000,
            List.of(new InputOffset("mnist.images", 0, 100_032)),
            33.8,
            33.1,
            LossDriftDetector.Signal.INPUT,
            0.1301,
            0.1489,
            1_764_750_000_123L);
    JsonNode o = JSON.readTree(e.toJson());
    assertThat(e.key()).isEqualTo("drift:2");
    assertThat(o.path("type").asText()).isEqualTo("drift");
    assertThat(o.path("number").asLong()).isEqualTo(2);
    assertThat(o.path("step").asLong()).isEqualTo(3125);
    assertThat(o.path("images_seen").asLong()).isEqualTo(100_000);
    assertThat(o.path("input_offsets").get(0).path("offset").asLong()).isEqualTo(100_032);
    assertThat(o.path("loss_before").asDouble()).isEqualTo(33.8);
    assertThat(o.path("loss_after").asDouble()).isEqualTo(33.1);
    assertThat(o.path("signal").asText()).isEqualTo("input");
    assertThat(o.path("ink_before").asDouble()).isEqualTo(0.1301);
    assertThat(o.path("ink_after").asDouble()).isEqualTo(0.1489);
    assertThat(o.path("created_at").asText()).isEqualTo("2025-12-03T08:20:00.123Z");
  }

  @Test
  void aLossDetectionWithoutASettledInkWritesNull() throws Exception {
    DriftEvent e =
        new DriftEvent(
            1, 10, 320, List.of(), 100, 140, LossDriftDetector.Signal.LOSS, Double.NaN, 0.13, 0);
    JsonNode o = JSON.readTree(e.toJson());
    assertThat(o.path("signal").asText()).isEqualTo("loss");
    assertThat(o.has("ink_before")).isTrue();
    assertThat(o.path("ink_before").isNull()).isTrue();
    assertThat(o.path("ink_after").asDouble()).isEqualTo(0.13);
  }
}
