package dev.vaestream.trainer;

import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.config.KafkaClientConfig;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import dev.vaestream.core.kafka.CheckpointTopic;
import dev.vaestream.core.metrics.ServiceMetrics;
import dev.vaestream.core.record.ImageRecord;
import dev.vaestream.core.record.ImageRecordCodec;
import dev.vaestream.core.service.HttpEndpoint;
import dev.vaestream.localkafka.LocalKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Topics, input and settings for trainer tests on the shared broker. */
final class TrainerFixture {
  static final MnistDataset TRAIN = MnistDataset.bundled(MnistSplit.TRAIN);

  final LocalKafka kafka;
  final String input;
  final String checkpoints;
  final String dlq;
  final String events;
  final String name;

  TrainerFixture(LocalKafka kafka, String name) {
    this.kafka = kafka;
    this.name = name + "-" + System.nanoTime();
    this.input = this.name + ".images";
    this.checkpoints = this.name + ".checkpoints";
    this.dlq = this.name + ".dlq";
    this.events = this.name + ".events";
    kafka.createTopic(input, 1);
    kafka.createTopic(checkpoints, 1, CheckpointTopic.topicConfigs());
    kafka.createTopic(dlq, 1);
    kafka.createTopic(events, 1);
  }

  /** Produces {@code n} MNIST images, with an invalid record after every index in {@code bad}. */
  void produceImages(int first, int n, Set<Integer> bad) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (int i = first; i < first + n; i++) {
        ImageRecord img =
            new ImageRecord(
                ImageRecord.id(MnistSplit.TRAIN, i, 0),
                TRAIN.image(i),
                TRAIN.label(i),
                MnistSplit.TRAIN,
                i,
                null,
                System.currentTimeMillis());
        producer.send(ImageRecordCodec.toProducerRecord(input, img));
        if (bad.contains(i)) {
          producer.send(new ProducerRecord<>(input, ("bad-" + i).getBytes(), new byte[] {9, 9}));
        }
      }
      producer.flush();
    }
  }

  void produceRaw(String topic, byte[] key, byte[] value) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      producer.send(new ProducerRecord<>(topic, key, value));
      producer.flush();
    }
  }

  TrainerSettings settings(String suffix, long maxSteps, int every, double lr) {
    return settings(suffix, maxSteps, every, lr, checkpoints);
  }

  TrainerSettings settings(
      String suffix, long maxSteps, int every, double lr, String checkpointTopic) {
    KafkaClientConfig config =
        KafkaClientConfig.builder()
            .flag(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers())
            .build();
    return new TrainerSettings(
        config,
        Duration.ofSeconds(30),
        new TrainerSettings.TopicNames(input, checkpointTopic, dlq, (short) 1, events),
        name + "-group" + suffix,
        name + "-tx" + suffix,
        new TrainerSettings.Checkpointing(null, every, Duration.ofSeconds(30), null),
        new TrainerSettings.Learning(
            maxSteps, null, new GuardSettings(true, 0.99, 500, 2000), 42, lr), // as in flags()
        HttpEndpoint.disabled());
  }

  /** Command-line flags equivalent to {@link #settings} (for a trainer in another JVM). */
  List<String> flags(String suffix, long maxSteps, int every) {
    return List.of(
        "--bootstrap-servers",
        kafka.bootstrapServers(),
        "--input-topic",
        input,
        "--checkpoint-topic",
        checkpoints,
        "--dlq-topic",
        dlq,
        "--events-topic",
        events,
        "--group-id",
        name + "-group" + suffix,
        "--transactional-id",
        name + "-tx" + suffix,
        "--max-steps",
        Long.toString(maxSteps),
        "--checkpoint-every",
        Integer.toString(every),
        "--guard-warmup",
        "500",
        "--guard-window",
        "2000",
        "--no-guard-soft", // settings() uses the hard guard only
        "--http-port",
        "-1");
  }

  static int runService(TrainerSettings s, AtomicBoolean running) {
    return runService(s, running, new SimpleMeterRegistry());
  }

  static int runService(
      TrainerSettings s, AtomicBoolean running, io.micrometer.core.instrument.MeterRegistry r) {
    try (TrainerMetrics metrics = new TrainerMetrics("cpu", "test");
        ServiceMetrics clientMetrics = ServiceMetrics.create("trainer")) {
      metrics.bindTo(r);
      TrainerHealth health = new TrainerHealth(() -> 0, () -> 0, () -> 0);
      return new TrainingLoop(
              s, new TrainerClients(s, clientMetrics), metrics, new ReconstructionsPage(), health)
          .run(running);
    }
  }

  /** Every record of {@code topic}, read_committed. */
  List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    Map<String, Object> c = new HashMap<>(CheckpointTopic.consumerOverrides());
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      while (consumer.position(tp) < end) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /** Valid checkpoints on the checkpoint topic, in order. */
  List<Checkpoint> checkpoints() {
    List<Checkpoint> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : readAll(checkpoints)) {
      try {
        out.add(CheckpointCodec.unsigned().decode(r.value(), "test"));
      } catch (RuntimeException e) {
        // garbage written by a test
      }
    }
    return out;
  }
}
