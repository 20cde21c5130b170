package dev.vaestream.trainer.drift;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vaestream.core.checkpoint.InputOffset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * One drift event on {@code vae.events}, JSON, published in the transaction of the checkpoint taken
 * at the detection (so exactly once across crashes). Key: {@code drift:<number>}.
 *
 * <pre>
 * {"type":"drift","detector":"adwin","number":1,"step":3125,"images_seen":100000,
 *  "input_offsets":[{"topic":"mnist.images","partition":0,"offset":100032}],
 *  "loss_before":102.4,"loss_after":141.9,"signal":"loss","ink_before":0.1301,"ink_after":0.1296,
 *  "created_at":"2026-12-03T08:40:00.123Z"}
 * </pre>
 *
 * {@code step} and {@code images_seen} are the checkpoint's; {@code input_offsets} its offsets (the
 * first record after the group that completed the detection); the losses are mean prequential
 * losses per image before the change (ADWIN's older window) and at the detection (last 256 images).
 * Added with the input detector (events before it lack them): {@code signal}, what saw the change
 * ({@code loss}: the prequential loss rose; {@code input}: the images' ink moved, a change the
 * model may be following without a rise in loss), and the ink (mean pixel intensity in [0, 1],
 * trimmed) of the settled stream and at the detection; {@code ink_before} is null while the input
 * detector had no settled reference.
 */
public record DriftEvent(
    long number,
    long step,
    long imagesSeen,
    List<InputOffset> inputOffsets,
    double lossBefore,
    double lossAfter,
    LossDriftDetector.Signal signal,
    double inkBefore,
    double inkAfter,
    long createdAtMs) {
  public static final String TYPE = "drift";
  private static final ObjectMapper JSON = new ObjectMapper();

  public String key() {
    return TYPE + ":" + number;
  }

  public byte[] toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("type", TYPE);
    o.put("detector", "adwin");
    o.put("number", number);
    o.put("step", step);
    o.put("images_seen", imagesSeen);
    ArrayNode offsets = o.putArray("input_offsets");
    for (InputOffset off : inputOffsets) {
      offsets
          .addObject()
          .put("topic", off.topic())
          .put("partition", off.partition())
          .put("offset", off.offset());
    }
    o.put("loss_before", lossBefore);
    o.put("loss_after", lossAfter);
    o.put("signal", signal.wireName());
    putFinite(o, "ink_before", inkBefore);
    putFinite(o, "ink_after", inkAfter);
    o.put("created_at", Instant.ofEpochMilli(createdAtMs).toString());
    try {
      return JSON.writeValueAsString(o).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void putFinite(ObjectNode o, String field, double value) {
    if (Double.isFinite(value)) {
      o.put(field, value);
    } else {
      o.putNull(field);
    }
  }
}
