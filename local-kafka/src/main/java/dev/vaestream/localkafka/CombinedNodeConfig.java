package dev.vaestream.localkafka;

import java.nio.file.Path;
import java.util.Properties;

/**
 * The settings every local KRaft node shares, whether alone ({@link LocalKafka}) or one of a
 * cluster ({@link LocalKafkaNode}): broker and controller in one process, a plaintext client
 * listener and a controller listener on loopback, and its log directory.
 */
final class CombinedNodeConfig {
  static final String CONTROLLER_LISTENER = "CONTROLLER";

  private CombinedNodeConfig() {}

  /**
   * @param voters {@code controller.quorum.voters}, e.g. {@code 1@localhost:9093}
   */
  static Properties of(int nodeId, String voters, int brokerPort, int controllerPort, Path logDir) {
    Properties c = new Properties();
    c.put("process.roles", "broker,controller");
    c.put("node.id", Integer.toString(nodeId));
    c.put("controller.quorum.voters", voters);
    c.put(
        "listeners",
        "PLAINTEXT://localhost:"
            + brokerPort
            + ","
            + CONTROLLER_LISTENER
            + "://localhost:"
            + controllerPort);
    c.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort);
    c.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    c.put("controller.listener.names", CONTROLLER_LISTENER);
    c.put("inter.broker.listener.name", "PLAINTEXT");
    c.put("log.dirs", logDir.toString());
    return c;
  }
}
