package dev.vaestream.scorer;

import dev.vaestream.core.metrics.Health;
import dev.vaestream.core.service.ServiceHealth;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What {@code /health} and {@code /ready} answer. Liveness ({@code /health}) is 200 while the
 * process works as intended, including while it waits for its first model; readiness ({@code
 * /ready}) is 200 only once a model is loaded and the scoring loop is consuming. Thread-safe: the
 * scoring loop, the model follower, Streams and the HTTP server all touch it.
 */
public final class ScorerHealth implements ServiceHealth {
  /** Where the scorer is in its life; {@link #status()} is the text {@code /health} shows. */
  public enum State {
    STARTING("starting"),
    WAITING_FOR_MODEL("waiting for model"),
    CONSUMING("consuming"),
    STOPPING("stopping"),
    STOPPED("stopped"),
    FAILED("failed");

    private final String status;

    State(String status) {
      this.status = status;
    }

    public String status() {
      return status;
    }
  }

  private final Supplier<LoadedModel> model;
  private final LongSupplier scored;
  private volatile State state = State.STARTING;
  private volatile String lastRejection;
  private volatile String lastError;
  private volatile String stats = "disabled";
  private volatile int assignedPartitions;

  /**
   * @param model the model in use, or null
   * @param scored images committed so far
   */
  public ScorerHealth(Supplier<LoadedModel> model, LongSupplier scored) {
    this.model = model;
    this.scored = scored;
  }

  @Override
  public State state() {
    return state;
  }

  void state(State state) {
    // A failure is final: later "stopping"/"stopped" must not hide it.
    if (this.state != State.FAILED) {
      this.state = state;
    }
  }

  void failed(String error) {
    lastError = error;
    state = State.FAILED;
  }

  void rejected(String description) {
    lastRejection = description;
  }

  void stats(String streamsState) {
    stats = streamsState;
  }

  void assignedPartitions(int n) {
    assignedPartitions = n;
  }

  /** Ready: a model is loaded and the scoring loop is consuming. */
  public boolean ready() {
    return state == State.CONSUMING && model.get() != null;
  }

  /** The answer for {@code /health}: healthy unless failed or stopped. */
  @Override
  public Health health() {
    State s = state;
    Map<String, Object> details = details();
    boolean alive = s != State.FAILED && s != State.STOPPED;
    return alive ? Health.up(s.status(), details) : Health.down(s.status(), details);
  }

  /** The answer for {@code /ready}. */
  public Health readiness() {
    Map<String, Object> details = details();
    return ready() ? Health.up(state.status(), details) : Health.down(state.status(), details);
  }

  private Map<String, Object> details() {
    Map<String, Object> d = new LinkedHashMap<>();
    LoadedModel m = model.get();
    d.put("ready", ready());
    if (m != null) {
      d.put("model_step", m.step());
      d.put("model_age_ms", m.ageMs(System.currentTimeMillis()));
      d.put(
          "threshold",
          m.threshold().value().isPresent() ? m.threshold().value().getAsDouble() : null);
      d.put("threshold_source", m.threshold().source());
      d.put("model_source", m.source());
    }
    d.put("images_scored", scored.getAsLong());
    d.put("assigned_partitions", assignedPartitions);
    d.put("stats", stats);
    String rejection = lastRejection;
    if (rejection != null) {
      d.put("last_checkpoint_rejection", rejection);
    }
    String error = lastError;
    if (error != null) {
      d.put("last_error", error);
    }
    return d;
  }
}
