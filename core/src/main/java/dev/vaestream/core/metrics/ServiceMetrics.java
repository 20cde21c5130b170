package dev.vaestream.core.metrics;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's Prometheus registry, tagged {@code service=<name>}, with the JVM binders (memory, GC,
 * threads, class loading, CPU, uptime) and every binder the service adds through {@link #bind}.
 * {@link #close()} closes the closable binders newest first (the GC binder holds JMX listeners,
 * Kafka's client binders a scheduler thread), then the registry: one call releases every meter.
 */
public final class ServiceMetrics implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServiceMetrics.class);

  private final PrometheusMeterRegistry registry;
  private final Deque<AutoCloseable> closables = new ArrayDeque<>();
  private boolean closed;

  private ServiceMetrics(String service) {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("service", service);
    bind(new JvmMemoryMetrics());
    bind(new JvmGcMetrics());
    bind(new JvmThreadMetrics());
    bind(new ClassLoaderMetrics());
    bind(new ProcessorMetrics());
    bind(new UptimeMetrics());
  }

  /** A registry for {@code service} with the JVM binders bound. */
  public static ServiceMetrics create(String service) {
    return new ServiceMetrics(service);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Binds {@code binder}; if it is {@link AutoCloseable}, {@link #close()} closes it. */
  public synchronized <B extends MeterBinder> B bind(B binder) {
    if (closed) {
      throw new IllegalStateException("metrics already closed");
    }
    binder.bindTo(registry);
    if (binder instanceof AutoCloseable c) {
      closables.push(c);
    }
    return binder;
  }

  /** Closes every closable binder, newest first, then the registry; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    while (!closables.isEmpty()) {
      AutoCloseable c = closables.pop();
      try {
        c.close();
      } catch (Exception e) {
        log.warn("Closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
      }
    }
    registry.close();
  }
}
