package dev.vaestream.producer;

import dev.vaestream.core.metrics.Health;
import dev.vaestream.core.service.ServiceHealth;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What {@code /health} reports for the producer: healthy while it is connected, that is once it has
 * fetched the topic's metadata and as long as its latest send was acknowledged. Thread-safe: the
 * run loop, the Kafka I/O thread and the HTTP server all touch it.
 */
public final class ProducerHealth implements ServiceHealth {
  /** Where the producer is in its life. */
  public enum State {
    CONNECTING,
    PRODUCING,
    FINISHED,
    STOPPED,
    FAILED
  }

  private final String topic;
  private volatile State state = State.CONNECTING;
  private volatile boolean connected;
  private volatile String lastError;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();

  public ProducerHealth(String topic) {
    this.topic = topic;
  }

  /** The producer has metadata for the topic: it can reach the cluster. */
  public void connected() {
    connected = true;
    state = State.PRODUCING;
  }

  /** A send was acknowledged. */
  public void acknowledged() {
    sent.incrementAndGet();
    connected = true;
  }

  /** A send failed for good; the producer counts as disconnected until the next ack. */
  public void failed(Exception error) {
    errors.incrementAndGet();
    connected = false;
    lastError = error.toString();
  }

  /** The run loop ended in {@code state}. */
  public void ended(State state) {
    this.state = state;
  }

  @Override
  public State state() {
    return state;
  }

  /** The answer for {@code /health}. */
  @Override
  public Health health() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("topic", topic);
    details.put("sent", sent.get());
    details.put("errors", errors.get());
    String error = lastError;
    if (error != null) {
      details.put("last_error", error);
    }
    State s = state;
    String status = s.name().toLowerCase(java.util.Locale.ROOT);
    boolean healthy = connected && s != State.FAILED;
    return healthy ? Health.up(status, details) : Health.down(status, details);
  }
}
