package dev.vaestream.app.chaos;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One broker fault of a campaign and what it cost: which brokers, when they went down and came
 * back, and how long until trainer and scorer committed images again.
 *
 * @param kind {@code leader} (the leader of the scores partition, killed while the scorer had
 *     work), {@code coordinator} (the trainer's transaction coordinator), {@code two_down} (two
 *     brokers killed together), {@code random}, or {@code stall} (SIGSTOP, then SIGCONT)
 * @param brokers node ids affected
 * @param duringTransaction whether a transaction was open on the scores or checkpoint partition
 *     when the fault began (its last stable offset below its high watermark)
 * @param downAtSeconds seconds since the campaign started when the fault began
 * @param upAtSeconds when every affected broker was started (or continued) again
 * @param recoverySeconds from the fault until both groups committed again (or had nothing left); -1
 *     if they did not within the limit
 */
record BrokerFault(
    String kind,
    List<Integer> brokers,
    boolean duringTransaction,
    double downAtSeconds,
    double upAtSeconds,
    double recoverySeconds) {

  /** SIGKILLs this fault made (a stall makes none). */
  int kills() {
    return kind.equals("stall") ? 0 : brokers.size();
  }

  Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", kind);
    m.put("brokers", brokers);
    m.put("during_transaction", duringTransaction);
    m.put("down_at_s", round(downAtSeconds));
    m.put("up_at_s", round(upAtSeconds));
    m.put("recovery_s", round(recoverySeconds));
    return m;
  }

  static double round(double s) {
    return Math.round(s * 10) / 10.0;
  }
}
