package dev.vaestream.app.chaos;

/**
 * The broker side of a campaign: how many broker processes, and the broker faults among them.
 *
 * @param brokers 1 (the in-process broker of the original campaign) or 3 (separate broker JVMs,
 *     every topic with replication factor 3 and {@code min.insync.replicas=2})
 * @param brokerKills at least this many SIGKILLs of brokers (the two-brokers-down window counts as
 *     two)
 * @param brokerStalls SIGSTOP/SIGCONT stalls of one broker
 * @param brokerHeap {@code -Xmx} of each broker JVM
 */
record ClusterSettings(int brokers, int brokerKills, int brokerStalls, String brokerHeap) {

  /** The original campaign: one in-process broker, no broker faults beyond clean restarts. */
  static final ClusterSettings SINGLE = new ClusterSettings(1, 0, 0, "512m");

  ClusterSettings {
    if (brokers != 1 && brokers != 3) {
      throw new IllegalArgumentException("--brokers must be 1 or 3, got " + brokers);
    }
    if (brokerKills < 0 || brokerStalls < 0) {
      throw new IllegalArgumentException("--broker-kills and --broker-stalls must not be negative");
    }
    if (brokers == 1 && (brokerKills > 0 || brokerStalls > 0)) {
      throw new IllegalArgumentException("--broker-kills and --broker-stalls need --brokers 3");
    }
  }

  boolean cluster() {
    return brokers > 1;
  }
}
