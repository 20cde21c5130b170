package dev.vaestream.core.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link MeterBinder} that remembers every meter it registers and removes them again on {@link
 * #close()}, so a service that stops leaves no stale series behind (Micrometer's {@code
 * KafkaClientMetrics} does the same). Subclasses register their meters in {@link
 * #register(MeterRegistry)} and pass each through {@link #own}; meters registered later (one per
 * new tag value) go through {@link #own} as well. Bind once.
 */
public abstract class OwnedMeterBinder implements MeterBinder, AutoCloseable {
  private final List<Meter> meters = new CopyOnWriteArrayList<>();
  private volatile MeterRegistry registry;

  @Override
  public final synchronized void bindTo(MeterRegistry registry) {
    if (this.registry != null) {
      throw new IllegalStateException(getClass().getSimpleName() + " is already bound");
    }
    this.registry = registry;
    register(registry);
  }

  /** Registers this binder's meters, each through {@link #own}. */
  protected abstract void register(MeterRegistry registry);

  /** The registry bound to; for meters created after {@link #bindTo}. */
  protected final MeterRegistry registry() {
    MeterRegistry r = registry;
    if (r == null) {
      throw new IllegalStateException(getClass().getSimpleName() + " is not bound");
    }
    return r;
  }

  /** Records {@code meter} as this binder's, to be removed on close. */
  protected final <M extends Meter> M own(M meter) {
    meters.add(meter);
    return meter;
  }

  /** Removes every meter this binder registered; idempotent. */
  @Override
  public void close() {
    MeterRegistry r = registry;
    if (r == null) {
      return;
    }
    for (Meter m : meters) {
      r.remove(m);
    }
    meters.clear();
  }
}
