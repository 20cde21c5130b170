package dev.vaestream.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.metrics.MetricsServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared half of every service: start that cleans up, the HTTP port, idempotent close. */
class AbstractServiceTest {
  /** Opens two resources (and the HTTP endpoint when asked), recording every call. */
  static final class Recording extends AbstractService {
    final List<String> calls = new ArrayList<>();
    boolean withHttp;
    RuntimeException failAfterFirst;

    @Override
    protected void startComponents() {
      resources.push("first", () -> calls.add("close first"));
      if (withHttp) {
        httpEndpoint(
            MetricsServer.start(
                "127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> null));
      }
      if (failAfterFirst != null) {
        throw failAfterFirst;
      }
      resources.push("second", () -> calls.add("close second"));
    }

    @Override
    protected void beforeClose() {
      calls.add("before close");
    }

    @Override
    protected void afterClose() {
      calls.add("after close");
    }

    @Override
    public int awaitTermination() {
      return 0;
    }

    @Override
    public void stop() {}

    @Override
    public ServiceHealth health() {
      return null;
    }
  }

  @Test
  void closeRunsTheHooksAroundTheResourcesNewestFirstAndOnlyOnce() {
    Recording s = new Recording();
    s.start();
    s.close();
    s.close();
    assertThat(s.calls)
        .containsExactly("before close", "close second", "close first", "after close");
  }

  @Test
  void aFailedStartClosesWhatItOpenedAndRethrows() {
    Recording s = new Recording();
    s.withHttp = true;
    UserException failure = new UserException("no broker");
    s.failAfterFirst = failure;
    assertThatThrownBy(s::start).isSameAs(failure);
    assertThat(s.calls).containsExactly("before close", "close first", "after close");
    assertThat(s.resources.size()).isZero();
  }

  @Test
  void httpPortIsTheEndpointsOrMinusOneWithoutOne() {
    Recording without = new Recording();
    without.start();
    assertThat(without.httpPort()).isEqualTo(-1);
    without.close();

    Recording with = new Recording();
    with.withHttp = true;
    with.start();
    try {
      assertThat(with.httpPort()).isPositive();
    } finally {
      with.close();
    }
    assertThat(with.resources.size()).isZero();
  }
}
