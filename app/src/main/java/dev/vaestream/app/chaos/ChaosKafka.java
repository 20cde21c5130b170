package dev.vaestream.app.chaos;

import dev.vaestream.localkafka.LocalKafka;
import java.util.Map;

/**
 * The Kafka a campaign runs against: one in-process broker ({@link LocalKafka}) or a cluster of
 * broker processes ({@link BrokerCluster}). Topics are created here with the cluster's replication.
 */
interface ChaosKafka extends AutoCloseable {
  /** The {@code bootstrap.servers} of every client. */
  String bootstrapServers();

  /** Creates a topic replicated as the cluster allows, and waits for its leaders. */
  void createTopic(String name, int partitions, Map<String, String> configs);

  /** A clean stop and start of one broker (the campaign's {@code --broker-restarts}). */
  void restartBroker();

  /** The replication factor of the topics it creates. */
  short replicationFactor();

  /** The campaign's own clients' settings: the super user's on a secured broker. */
  default Map<String, Object> superUser() {
    return local() != null
        ? ChaosSecurity.superUser(local())
        : Map.of(
            org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers());
  }

  /** The in-process broker, or null on a cluster. */
  LocalKafka local();

  @Override
  void close();

  /** The single in-process broker of the original campaign. */
  static ChaosKafka single(LocalKafka broker) {
    return new ChaosKafka() {
      @Override
      public String bootstrapServers() {
        return broker.bootstrapServers();
      }

      @Override
      public void createTopic(String name, int partitions, Map<String, String> configs) {
        broker.createTopic(name, partitions, configs);
      }

      @Override
      public void restartBroker() {
        broker.restartBroker();
      }

      @Override
      public short replicationFactor() {
        return 1;
      }

      @Override
      public LocalKafka local() {
        return broker;
      }

      @Override
      public void close() {
        broker.close();
      }
    };
  }
}
