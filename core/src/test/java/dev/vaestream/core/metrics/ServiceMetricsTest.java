package dev.vaestream.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A service's registry closes every binder bound to it, newest first, and then itself. */
class ServiceMetricsTest {
  private final List<String> closed = new ArrayList<>();

  private final class Probe extends OwnedMeterBinder {
    private final String name;

    Probe(String name) {
      this.name = name;
    }

    @Override
    protected void register(MeterRegistry registry) {
      own(
          Counter.builder("vae.test." + name)
              .description("d")
              .baseUnit("things")
              .register(registry));
    }

    void late() {
      own(
          Counter.builder("vae.test." + name + ".late")
              .description("d")
              .baseUnit("x")
              .register(registry()));
    }

    @Override
    public void close() {
      closed.add(name);
      super.close();
    }
  }

  @Test
  void bindsTheJvmMetersWithTheServiceTag() {
    try (ServiceMetrics metrics = ServiceMetrics.create("svc")) {
      assertThat(metrics.registry().scrape())
          .contains("jvm_memory_used_bytes{")
          .contains("jvm_gc_")
          .contains("process_uptime_seconds{service=\"svc\"}");
    }
  }

  @Test
  void closeClosesBindersNewestFirstAndRemovesTheirMeters() {
    ServiceMetrics metrics = ServiceMetrics.create("svc");
    Probe first = metrics.bind(new Probe("first"));
    metrics.bind(new Probe("second"));
    first.late();
    assertThat(metrics.registry().find("vae.test.first.late").counter()).isNotNull();

    metrics.close();
    metrics.close(); // idempotent

    assertThat(closed).containsExactly("second", "first");
    assertThat(metrics.registry().getMeters())
        .noneMatch(m -> m.getId().getName().startsWith("vae."));
    assertThat(metrics.registry().isClosed()).isTrue();
    assertThatThrownBy(() -> metrics.bind(new Probe("third")))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aBinderBindsOnce() {
    try (ServiceMetrics metrics = ServiceMetrics.create("svc")) {
      Probe probe = metrics.bind(new Probe("once"));
      assertThatThrownBy(() -> probe.bindTo(metrics.registry()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already bound");
    }
  }
}
