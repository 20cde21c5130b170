package dev.vaestream.app.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vaestream.core.kafka.TopicReader;
import dev.vaestream.core.record.DeadLetters;
import dev.vaestream.core.record.ImageRecordCodec;
import dev.vaestream.core.record.InvalidRecordException;
import dev.vaestream.core.record.ScoreRecord;
import dev.vaestream.core.record.ScoreRecordCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The campaign's accounting, done at the end by reading the topics themselves with {@code
 * read_committed} consumers, as a downstream user would: which input records are valid images, how
 * many scores each image got and from which model, and which input records the dead-letter topic
 * holds, from which service and why.
 */
final class Audit {

  /** What the input topic holds: valid image ids and the positions of invalid records. */
  record Input(Set<String> imageIds, int duplicateIds, Set<String> invalidPositions) {}

  /** What the scores topic holds. */
  record Scores(int records, Map<String, Integer> perImage, Map<Long, Integer> perModelStep) {}

  /** Dead letters: for each source position, the services that dead-lettered it with a reason. */
  record DeadLetterCopies(Map<String, Set<String>> servicesByPosition, int duplicates) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Object> kafka;

  /** {@code kafka}: how the campaign reaches the broker ({@link ChaosSecurity#superUser}). */
  Audit(Map<String, Object> kafka) {
    this.kafka = Map.copyOf(kafka);
  }

  static String position(int partition, long offset) {
    return partition + ":" + offset;
  }

  Input input(String topic) {
    Set<String> ids = new HashSet<>();
    Set<String> invalid = new HashSet<>();
    int[] duplicates = {0};
    readAll(
        topic,
        r -> {
          try {
            String id = ImageRecordCodec.decode(r).id();
            if (!ids.add(id)) {
              duplicates[0]++;
            }
          } catch (InvalidRecordException e) {
            invalid.add(position(r.partition(), r.offset()));
          }
        });
    return new Input(ids, duplicates[0], invalid);
  }

  Scores scores(String topic) {
    Map<String, Integer> perImage = new HashMap<>();
    Map<Long, Integer> perStep = new HashMap<>();
    int[] records = {0};
    readAll(
        topic,
        r -> {
          records[0]++;
          Optional<ScoreRecord> score = ScoreRecordCodec.tryDecode(r.value());
          if (score.isPresent()) {
            perImage.merge(score.get().imageId(), 1, Integer::sum);
            perStep.merge(score.get().modelStep(), 1, Integer::sum);
          } else {
            perImage.merge("<unparseable>", 1, Integer::sum);
          }
        });
    return new Scores(records[0], perImage, perStep);
  }

  DeadLetterCopies deadLetters(String topic) {
    Map<String, Set<String>> byPosition = new HashMap<>();
    Set<String> seen = new HashSet<>();
    int[] duplicates = {0};
    readAll(
        topic,
        r -> {
          String reason = header(r, DeadLetters.H_REASON);
          String service = header(r, DeadLetters.H_SERVICE);
          String partition = header(r, DeadLetters.H_PARTITION);
          String offset = header(r, DeadLetters.H_OFFSET);
          if (reason == null || reason.isEmpty() || service == null || offset == null) {
            return;
          }
          String position = partition + ":" + offset;
          if (!seen.add(service + "/" + position)) {
            duplicates[0]++;
          }
          byPosition.computeIfAbsent(position, k -> new HashSet<>()).add(service);
        });
    return new DeadLetterCopies(byPosition, duplicates[0]);
  }

  /**
   * The training step of each drift event on {@code topic}, in order (an unreadable event counts as
   * step -1): equal lists mean the same detections at the same points of training.
   */
  List<Long> driftEventSteps(String topic) {
    List<Long> steps = new ArrayList<>();
    readAll(
        topic,
        r -> {
          try {
            JsonNode event = JSON.readTree(r.value());
            steps.add(event.path("step").asLong(-1));
          } catch (IOException | RuntimeException e) {
            steps.add(-1L);
          }
        });
    return steps;
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** Every committed record of {@code topic}, all partitions, from the beginning to the end. */
  private void readAll(String topic, Consumer<ConsumerRecord<byte[], byte[]>> each) {
    Map<String, Object> c = new HashMap<>(kafka);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      TopicReader.readToEnd(consumer, topic, Duration.ofSeconds(30), Duration.ofMinutes(5), each);
    }
  }
}
