package dev.vaestream.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.metrics.Health;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one way a command runs its service: start, await, close, in that order, codes kept. */
class ServiceRunnerTest {
  enum State {
    NEW,
    RUNNING,
    CLOSED
  }

  /** A service that records what was called, and can fail where told. */
  static final class Recording implements Service {
    final List<String> calls = new ArrayList<>();
    final Resources resources = new Resources();
    RuntimeException failOnStart;
    RuntimeException failOnAwait;
    int code = ExitCodes.OK;
    volatile State state = State.NEW;

    @Override
    public void start() {
      calls.add("start");
      resources.push("first", () -> calls.add("close first"));
      if (failOnStart != null) {
        throw failOnStart;
      }
      resources.push("second", () -> calls.add("close second"));
      state = State.RUNNING;
    }

    @Override
    public int awaitTermination() {
      calls.add("await");
      if (failOnAwait != null) {
        throw failOnAwait;
      }
      return code;
    }

    @Override
    public void stop() {
      calls.add("stop");
    }

    @Override
    public ServiceHealth health() {
      return new ServiceHealth() {
        @Override
        public Enum<?> state() {
          return state;
        }

        @Override
        public Health health() {
          return Health.up(state.name(), Map.of());
        }
      };
    }

    @Override
    public void close() {
      calls.add("close");
      resources.close();
      state = State.CLOSED;
    }
  }

  private static ServiceRunner runner(List<String> calls) {
    return new ServiceRunner("test", Duration.ofSeconds(5), new PrintWriter(new StringWriter()))
        .onTerminated(code -> calls.add("terminated " + code));
  }

  @Test
  void startsAwaitsClosesInReverseAndReturnsTheCode() throws Exception {
    Recording service = new Recording();
    service.code = ExitCodes.FAILURE;

    int code = runner(service.calls).run(service);

    assertThat(code).isEqualTo(ExitCodes.FAILURE);
    assertThat(service.calls)
        .containsExactly("start", "await", "close", "close second", "close first", "terminated 1");
    assertThat(service.health().state()).isEqualTo(State.CLOSED);
  }

  @Test
  void aFailedStartClosesWhatWasOpenedAndKeepsItsExitCode() {
    Recording service = new Recording();
    service.failOnStart = new UserException("bad credentials", ExitCodes.USAGE);

    assertThatThrownBy(() -> runner(service.calls).run(service)).isSameAs(service.failOnStart);
    assertThat(service.calls).containsExactly("start", "close", "close first");
  }

  @Test
  void aFailureOfTheWorkIsRethrownAfterClosing() {
    Recording service = new Recording();
    service.failOnAwait = new UserException("fenced", ExitCodes.FENCED);

    assertThatThrownBy(() -> runner(service.calls).run(service)).isSameAs(service.failOnAwait);
    assertThat(service.calls)
        .containsExactly("start", "await", "close", "close second", "close first");
  }

  @Test
  void resourcesCloseNewestFirstEvenWhenOneFails() {
    List<String> closed = new ArrayList<>();
    Resources resources = new Resources();
    resources.push("a", () -> closed.add("a"));
    resources.push(
        "b",
        () -> {
          throw new IllegalStateException("b fails");
        });
    resources.push("c", () -> closed.add("c"));

    resources.close();
    resources.close(); // idempotent

    assertThat(closed).containsExactly("c", "a");
    assertThat(resources.size()).isZero();
    assertThatThrownBy(() -> resources.push("late", () -> {}))
        .isInstanceOf(IllegalStateException.class);
  }
}
