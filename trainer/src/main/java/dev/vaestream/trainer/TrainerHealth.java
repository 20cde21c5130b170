package dev.vaestream.trainer;

import dev.vaestream.core.metrics.Health;
import dev.vaestream.core.service.ServiceHealth;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * What the trainer's {@code /health} answers: healthy while the training loop is consuming and its
 * input consumer polled within the last 30 s. Thread-safe: the loop sets the state, the HTTP server
 * reads it.
 */
public final class TrainerHealth implements ServiceHealth {
  /** A poll older than this means the loop is stuck. */
  static final long MAX_POLL_SILENCE_MS = 30_000;

  /** Where the trainer is in its life; {@link #status()} is the text {@code /health} shows. */
  public enum State {
    STARTING("starting"),
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

  private final LongSupplier step;
  private final LongSupplier lastPollMs;
  private final DoubleSupplier checkpointAgeSeconds;
  private volatile State state = State.STARTING;
  private volatile String lastError;

  /**
   * @param step the model's step
   * @param lastPollMs when the input consumer last polled (epoch ms), 0 before the first
   * @param checkpointAgeSeconds seconds since the last published checkpoint
   */
  TrainerHealth(LongSupplier step, LongSupplier lastPollMs, DoubleSupplier checkpointAgeSeconds) {
    this.step = step;
    this.lastPollMs = lastPollMs;
    this.checkpointAgeSeconds = checkpointAgeSeconds;
  }

  @Override
  public State state() {
    return state;
  }

  /** The text {@code /health} shows. */
  public String status() {
    return state.status();
  }

  void state(State next) {
    // A failure is final: a later "stopped" must not hide it.
    if (state != State.FAILED) {
      state = next;
    }
  }

  void failed(String error) {
    lastError = error;
    state = State.FAILED;
  }

  @Override
  public Health health() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("step", step.getAsLong());
    details.put("checkpoint_age_seconds", checkpointAgeSeconds.getAsDouble());
    long polled = lastPollMs.getAsLong();
    long sincePoll = System.currentTimeMillis() - polled;
    details.put("ms_since_poll", polled == 0 ? null : sincePoll);
    String error = lastError;
    if (error != null) {
      details.put("last_error", error);
    }
    State s = state;
    boolean consuming = s == State.CONSUMING && sincePoll < MAX_POLL_SILENCE_MS;
    return consuming ? Health.up(s.status(), details) : Health.down(s.status(), details);
  }
}
