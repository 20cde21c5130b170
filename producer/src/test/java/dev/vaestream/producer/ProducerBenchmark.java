package dev.vaestream.producer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vaestream.core.cli.ErrorReporting;
import dev.vaestream.core.cli.JsonLine;
import dev.vaestream.localkafka.LocalKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * Producer throughput with {@code --rate 0} to a single in-JVM broker: starts an {@link
 * LocalKafka}, runs the real {@code producer} command once to warm up and once measured, and prints
 * {@code {"name":"producer","images":…,"seconds":…,"images_per_sec":…}} on stdout.
 *
 * <p>A main class, not a test: its number depends on the machine. Usage: {@code ProducerBenchmark
 * [images] [extra producer flags...]}; client properties can be varied with {@code KAFKA_*}
 * variables, e.g. {@code KAFKA_COMPRESSION_TYPE=none}.
 */
public final class ProducerBenchmark {
  private ProducerBenchmark() {}

  public static void main(String[] args) throws Exception {
    long images = args.length > 0 ? Long.parseLong(args[0]) : 200_000;
    List<String> extra = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      extra.add(args[i]);
    }
    int code;
    try (LocalKafka kafka = LocalKafka.start()) {
      run(kafka, "bench-warmup", Math.min(images, 50_000), extra);
      JsonNode result = run(kafka, "bench", images, extra);
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("name", "producer");
      line.put("images", result.get("sent").asLong());
      line.put("seconds", result.get("seconds").asDouble());
      line.put("images_per_sec", result.get("images_per_sec").asDouble());
      System.out.println(JsonLine.of(line));
      code = result.get("errors").asLong() == 0 ? 0 : 1;
    }
    System.exit(code);
  }

  private static JsonNode run(LocalKafka kafka, String topic, long images, List<String> extra)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--bootstrap-servers=" + kafka.bootstrapServers(),
                "--input-topic=" + topic,
                "--split=train",
                "--loop",
                "--limit=" + images,
                "--rate=0",
                "--http-port=-1"));
    args.addAll(extra);
    StringWriter out = new StringWriter();
    CommandLine cli = ErrorReporting.commandLine(new ProducerCommand());
    cli.setOut(new PrintWriter(out, true));
    int code = cli.execute(args.toArray(new String[0]));
    if (code != 0) {
      throw new IllegalStateException("producer exited with " + code + ": " + out);
    }
    String[] lines = out.toString().strip().split("\n");
    return new ObjectMapper().readTree(lines[lines.length - 1]);
  }
}
