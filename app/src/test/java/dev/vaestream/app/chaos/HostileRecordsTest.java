package dev.vaestream.app.chaos;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vaestream.core.checkpoint.Calibration;
import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.checkpoint.CheckpointFormatException;
import dev.vaestream.core.model.VaeModel;
import dev.vaestream.core.record.ImageRecordCodec;
import dev.vaestream.core.record.InvalidRecordException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The campaign's hostile records are hostile in the way they claim, and every kind occurs. */
class HostileRecordsTest {
  private static final String KEY = "test-key";

  @Test
  void everyHostileInputKindIsRejectedByTheCodecWithItsReason() {
    HostileInputs hostile = new HostileInputs("in", 7);
    Map<HostileInputs.Kind, Integer> seen = new EnumMap<>(HostileInputs.Kind.class);
    for (int i = 0; i < 400; i++) {
      HostileInputs.Hostile h = hostile.next();
      ProducerRecord<byte[], byte[]> r = h.record();
      InvalidRecordException e =
          catchThrowableOfType(
              InvalidRecordException.class,
              () -> ImageRecordCodec.decode(r.key(), r.value(), r.headers()));
      assertThat(e).as("%s record %d", h.kind(), i).isNotNull();
      assertThat(e.reason().code()).isNotBlank();
      String expected =
          switch (h.kind()) {
            case NULL_KEY -> "null_key";
            case NULL_VALUE -> "null_value";
            case WRONG_VERSION -> "bad_version";
            case MISSING_HEADERS -> "missing_header";
            case GARBAGE_HEADERS -> "bad_header";
            default -> null;
          };
      if (expected != null) {
        assertThat(e.reason().code()).as("%s", h.kind()).isEqualTo(expected);
      }
      seen.merge(h.kind(), 1, Integer::sum);
    }
    assertThat(seen).containsOnlyKeys(HostileInputs.Kind.values());
    assertThat(seen.values()).allMatch(n -> n == 50);
  }

  @Test
  void sameSeedSameHostileRecords() {
    HostileInputs a = new HostileInputs("in", 11);
    HostileInputs b = new HostileInputs("in", 11);
    for (int i = 0; i < 40; i++) {
      ProducerRecord<byte[], byte[]> x = a.next().record();
      ProducerRecord<byte[], byte[]> y = b.next().record();
      assertThat(x.value()).isEqualTo(y.value());
      assertThat(x.key()).isEqualTo(y.key());
    }
  }

  @Test
  void everyForgedCheckpointIsRejectedByAKeyHolderForTheRightReason() {
    VaeModel model = VaeModel.create(3);
    Checkpoint genuine =
        Checkpoint.of(model, List.of(), new Calibration(0, Map.of()), Map.of(), Map.of());
    CheckpointCodec codec = CheckpointCodec.withKey(KEY);
    byte[] bytes = codec.encode(genuine);
    assertThat(codec.decode(bytes, "genuine").step()).isEqualTo(genuine.step());

    HostileCheckpoints hostile = new HostileCheckpoints("ckpt", KEY, 5);
    Map<HostileCheckpoints.Kind, String> reasons = new EnumMap<>(HostileCheckpoints.Kind.class);
    for (int i = 0; i < 2 * HostileCheckpoints.Kind.values().length; i++) {
      HostileCheckpoints.Kind kind = hostile.nextKind();
      ProducerRecord<byte[], byte[]> r = hostile.next(bytes, genuine);
      assertThat(Long.parseLong(new String(r.headers().lastHeader("step").value(), UTF_8)))
          .isGreaterThanOrEqualTo(HostileCheckpoints.MARKER_STEP);
      assertThatThrownBy(() -> codec.decode(r.value(), kind.code()))
          .as("%s", kind)
          .isInstanceOfSatisfying(
              CheckpointFormatException.class, e -> reasons.put(kind, e.reason().code()));
    }
    assertThat(reasons)
        .containsEntry(HostileCheckpoints.Kind.WRONG_ARCHITECTURE, "wrong_architecture")
        .containsEntry(HostileCheckpoints.Kind.UNSIGNED, "unsigned")
        .containsEntry(HostileCheckpoints.Kind.MIS_SIGNED, "bad_signature")
        .containsEntry(HostileCheckpoints.Kind.GARBAGE, "bad_magic")
        .containsKeys(HostileCheckpoints.Kind.TRUNCATED, HostileCheckpoints.Kind.CORRUPTED);
    // Without the key the forgeries that are well formed would pass: signing is what stops them.
    HostileCheckpoints again = new HostileCheckpoints("ckpt", KEY, 5);
    for (int i = 0; i < HostileCheckpoints.Kind.UNSIGNED.ordinal(); i++) {
      again.next(bytes, genuine);
    }
    byte[] unsigned = again.next(bytes, genuine).value();
    assertThat(CheckpointCodec.unsigned().decode(unsigned, "unsigned").step())
        .isGreaterThanOrEqualTo(HostileCheckpoints.MARKER_STEP);
  }
}
