package dev.vaestream.localkafka;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * One node of a local multi-node KRaft cluster, run as its own JVM so that it can be SIGKILLed,
 * SIGSTOPped and restarted alone (the fault campaign's {@code --brokers 3}).
 *
 * <p>Each node is a <b>combined</b> broker and controller; the nodes form a static quorum of all of
 * them ({@code controller.quorum.voters}), so the cluster keeps its metadata with a majority up.
 * The log directory is formatted on first start only and survives a kill, as a real broker's disk
 * does. Every topic defaults to replication factor {@code n} (at most 3) and {@code
 * min.insync.replicas} one less (at least 1), the internal offsets and transaction-state topics
 * included; unclean leader election stays off (Kafka's default).
 *
 * <p>Usage: {@code LocalKafkaNode --node-id 1 --log-dir DIR --cluster-id ID --broker-ports P1,P2,P3
 * --controller-ports C1,C2,C3}. Node {@code i} (1-based) listens on the {@code i}-th ports. Stops
 * cleanly on SIGTERM.
 */
public final class LocalKafkaNode {

  private LocalKafkaNode() {}

  /** Runs one node until the JVM is stopped. Exit 2 on bad arguments. */
  public static void main(String[] args) throws Exception {
    Map<String, String> a = parse(args);
    int nodeId = Integer.parseInt(require(a, "--node-id"));
    Path logDir = Path.of(require(a, "--log-dir")).toAbsolutePath();
    String clusterId = require(a, "--cluster-id");
    List<Integer> brokerPorts = ports(require(a, "--broker-ports"));
    List<Integer> controllerPorts = ports(require(a, "--controller-ports"));
    if (brokerPorts.size() != controllerPorts.size() || nodeId < 1 || nodeId > brokerPorts.size()) {
      usage("--node-id must be 1.." + brokerPorts.size() + ", one broker and controller port each");
    }
    Properties props = config(nodeId, logDir, brokerPorts, controllerPorts);
    KafkaConfig config = KafkaConfig.fromProps(props, false);
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      format(nodeId, clusterId, logDir.toString());
    }
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.shutdown();
                  server.awaitShutdown();
                },
                "local-kafka-node-shutdown"));
    server.startup();
    System.out.println(
        "local-kafka-node " + nodeId + " started on localhost:" + brokerPorts.get(nodeId - 1));
    server.awaitShutdown();
  }

  /**
   * The configuration of node {@code nodeId} of a cluster whose nodes listen on {@code brokerPorts}
   * and {@code controllerPorts}.
   */
  public static Properties config(
      int nodeId, Path logDir, List<Integer> brokerPorts, List<Integer> controllerPorts) {
    int n = brokerPorts.size();
    String rf = Integer.toString(Math.min(3, n));
    String minIsr = Integer.toString(Math.max(1, Math.min(3, n) - 1));
    List<String> voters = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      voters.add((i + 1) + "@localhost:" + controllerPorts.get(i));
    }
    int brokerPort = brokerPorts.get(nodeId - 1);
    int controllerPort = controllerPorts.get(nodeId - 1);
    Properties c =
        CombinedNodeConfig.of(nodeId, String.join(",", voters), brokerPort, controllerPort, logDir);
    // Every topic, the internal ones included, replicated to all (up to 3) nodes, and acks=all
    // needing all but one of them.
    c.put("default.replication.factor", rf);
    c.put("min.insync.replicas", minIsr);
    c.put("offsets.topic.replication.factor", rf);
    c.put("offsets.topic.num.partitions", "3");
    c.put("transaction.state.log.replication.factor", rf);
    c.put("transaction.state.log.min.isr", minIsr);
    c.put("transaction.state.log.num.partitions", "3");
    c.put("share.coordinator.state.topic.replication.factor", rf);
    c.put("share.coordinator.state.topic.min.isr", minIsr);
    c.put("unclean.leader.election.enable", "false");
    c.put("group.initial.rebalance.delay.ms", "0");
    // A killed node is noticed, and a restarted one re-registers, within seconds.
    c.put("broker.session.timeout.ms", "4000");
    c.put("broker.heartbeat.interval.ms", "500");
    c.put("message.max.bytes", Integer.toString(LocalKafka.MAX_MESSAGE_BYTES));
    c.put("replica.fetch.max.bytes", Integer.toString(LocalKafka.MAX_MESSAGE_BYTES));
    c.put("replica.fetch.response.max.bytes", Integer.toString(2 * LocalKafka.MAX_MESSAGE_BYTES));
    c.put("socket.request.max.bytes", Integer.toString(2 * LocalKafka.MAX_MESSAGE_BYTES));
    c.put("auto.create.topics.enable", "false");
    c.put("num.partitions", "1");
    return c;
  }

  private static void format(int nodeId, String clusterId, String logDir) throws Exception {
    ByteArrayOutputStream report = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(report, true, StandardCharsets.UTF_8)) {
      new Formatter()
          .setPrintStream(out)
          .setNodeId(nodeId)
          .setClusterId(clusterId)
          .setDirectories(List.of(logDir))
          .setMetadataLogDirectory(logDir)
          .setControllerListenerName(CombinedNodeConfig.CONTROLLER_LISTENER)
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .run();
    }
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        usage("unexpected argument " + args[i]);
      }
      m.put(args[i], args[i + 1]);
    }
    return m;
  }

  private static String require(Map<String, String> a, String name) {
    String v = a.get(name);
    if (v == null) {
      usage("missing " + name);
    }
    return v;
  }

  private static List<Integer> ports(String csv) {
    List<Integer> ports = new ArrayList<>();
    try {
      for (String p : csv.split(",")) {
        ports.add(Integer.parseInt(p.trim()));
      }
    } catch (NumberFormatException e) {
      usage("ports must be comma-separated numbers: " + csv);
    }
    return ports;
  }

  private static void usage(String message) {
    System.err.println("local-kafka-node: " + message);
    System.exit(2);
  }
}
