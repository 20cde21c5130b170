package dev.vaestream.core.service;

import dev.vaestream.core.metrics.Health;

/**
 * A service's health: where it is in its life, as the service's own enum (e.g. the scorer's {@code
 * WAITING_FOR_MODEL}), and the {@link Health} answer {@code /health} serves. Thread-safe.
 */
public interface ServiceHealth {
  /** The current state, one constant of the service's state enum. */
  Enum<?> state();

  /** The {@code /health} answer: status text, up or down, and details. */
  Health health();
}
