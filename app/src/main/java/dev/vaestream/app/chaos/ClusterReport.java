package dev.vaestream.app.chaos;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The broker side of a campaign's report: how many brokers, the broker faults and what each cost.
 * Its fields are added to the report's JSON after the original ones (which stay as they were).
 *
 * @param brokers broker processes (1: the in-process broker)
 * @param faults every broker fault, in order
 * @param unexpectedExits brokers that died without being killed
 */
record ClusterReport(int brokers, List<BrokerFault> faults, List<String> unexpectedExits) {

  /** The original one-broker campaign. */
  static final ClusterReport SINGLE = new ClusterReport(1, List.of(), List.of());

  ClusterReport {
    faults = List.copyOf(faults);
    unexpectedExits = List.copyOf(unexpectedExits);
  }

  /**
   * {@code report} with the broker side of a campaign on {@code cluster} added (figures and
   * failures); {@code report} itself when the campaign ran on one in-process broker.
   */
  static ChaosReport judge(
      ChaosReport report, BrokerCluster cluster, BrokerKillLoop killer, ClusterSettings settings) {
    if (cluster == null) {
      return report;
    }
    ClusterReport c =
        new ClusterReport(
            cluster.size(),
            killer == null ? List.of() : killer.faults(),
            cluster.unexpectedExits());
    List<String> more = new java.util.ArrayList<>(c.failures(settings));
    if (killer != null && killer.failure() != null) {
      more.add("the broker fault loop failed: " + killer.failure());
    }
    return report.withCluster(c, more);
  }

  int brokerKills() {
    return faults.stream().mapToInt(BrokerFault::kills).sum();
  }

  long count(String kind) {
    return faults.stream().filter(f -> f.kind().equals(kind)).count();
  }

  long killsDuringTransaction() {
    return faults.stream().filter(f -> f.kills() > 0 && f.duringTransaction()).count();
  }

  double maxRecoverySeconds() {
    return faults.stream().mapToDouble(BrokerFault::recoverySeconds).max().orElse(0);
  }

  /** The failures of the broker side, given the settings it ran with. */
  List<String> failures(ClusterSettings settings) {
    List<String> f = new java.util.ArrayList<>();
    if (brokerKills() < settings.brokerKills()) {
      f.add("brokers killed " + brokerKills() + " times, planned " + settings.brokerKills());
    }
    if (settings.brokerKills() > 0 && faults.stream().noneMatch(x -> x.kind().equals("leader"))) {
      f.add("no partition leader was killed");
    }
    if (settings.brokerKills() > 1 && count("coordinator") == 0) {
      f.add("the trainer's transaction coordinator was never found and killed");
    }
    for (BrokerFault x : faults) {
      if (x.recoverySeconds() < 0) {
        f.add("no images committed after broker fault " + x.toJson());
      }
    }
    if (!unexpectedExits.isEmpty()) {
      f.add("unexpected broker exits: " + unexpectedExits);
    }
    return f;
  }

  void addTo(Map<String, Object> json) {
    json.put("brokers", brokers);
    json.put("broker_kills", brokerKills());
    json.put("broker_kills_during_transaction", killsDuringTransaction());
    json.put("leader_kills", count("leader"));
    json.put("coordinator_kills", count("coordinator"));
    json.put("two_brokers_down_windows", count("two_down"));
    json.put("broker_stalls", count("stall"));
    json.put("broker_unexpected_exits", unexpectedExits.size());
    json.put("max_recovery_s", BrokerFault.round(maxRecoverySeconds()));
    json.put("broker_faults", faults.stream().map(BrokerFault::toJson).toList());
  }

  Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    addTo(m);
    return m;
  }
}
