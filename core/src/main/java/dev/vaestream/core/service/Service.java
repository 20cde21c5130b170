package dev.vaestream.core.service;

/**
 * A long-running part of the pipeline (producer, trainer, scorer), built the same way each time so
 * that learning one teaches the others. A command parses its flags into settings, builds the
 * service from them, and hands it to {@link ServiceRunner}: {@link #start()}, then {@link
 * #awaitTermination()}, then {@link #close()}.
 *
 * <ul>
 *   <li>{@link #start()} opens the service's resources in order (metrics, HTTP endpoint, topics,
 *       Kafka clients, threads), pushing each on its {@link Resources}, and returns once it runs. A
 *       failure there is thrown (a {@code UserException} carries the exit code) and {@link #close}
 *       releases whatever was opened.
 *   <li>{@link #awaitTermination()} blocks until the work ends, by itself (a bounded run) or after
 *       {@link #stop()}, and returns the process exit code ({@code ExitCodes}).
 *   <li>{@link #stop()} asks the service to finish its current unit of work and end; safe from any
 *       thread, including a shutdown hook.
 *   <li>{@link #close()} releases everything newest first; idempotent.
 * </ul>
 */
public interface Service extends AutoCloseable {
  /** Opens the resources and starts the threads; returns once the service runs. */
  void start();

  /** Blocks until the service's work ends; the exit code. Rethrows a failure of its work. */
  int awaitTermination() throws InterruptedException;

  /** Asks the service to end after its current unit of work; safe from any thread. */
  void stop();

  /** What {@code /health} answers, with the service's state enum. */
  ServiceHealth health();

  /** Releases every resource, newest first; idempotent, never throws. */
  @Override
  void close();
}
