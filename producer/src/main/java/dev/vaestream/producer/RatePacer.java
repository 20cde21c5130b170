package dev.vaestream.producer;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Paces a loop to a steady rate of permits per second on the monotonic clock.
 *
 * <p>Why not {@code Thread.sleep(1000 / rate)} per record: sleeps overshoot and the time spent
 * sending adds up, so the real rate drifts low. Permit {@code k} is instead due at {@code start + k
 * / rate}; a late permit goes at once and the next ones catch up, so the average rate holds over
 * any window of a few seconds. Catching up is capped at {@link #MAX_CATCH_UP_SECONDS} of permits,
 * so a long stall (GC, broker outage) does not turn into a burst.
 *
 * <p>Not thread-safe: one loop takes the permits.
 */
public final class RatePacer {
  /** The longest backlog, in seconds of permits, that is sent as fast as possible to catch up. */
  public static final double MAX_CATCH_UP_SECONDS = 1.0;

  // Sleep in short slices so that a stop request is noticed promptly even at very low rates.
  private static final long MAX_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** Time source and sleeper; a fake in tests, the system clock in production. */
  public interface Clock {
    /** Monotonic nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    void sleepNanos(long nanos) throws InterruptedException;

    /** {@link System#nanoTime()} and a real sleep. */
    Clock SYSTEM =
        new Clock() {
          @Override
          public long nanoTime() {
            return System.nanoTime();
          }

          @Override
          public void sleepNanos(long nanos) throws InterruptedException {
            TimeUnit.NANOSECONDS.sleep(nanos);
          }
        };
  }

  private final double nanosPerPermit;
  private final long maxCatchUpNanos;
  private final Clock clock;
  private boolean started;
  private long startNanos;
  private long issued;

  /**
   * @param permitsPerSecond the rate to hold; 0 means no limit
   */
  public RatePacer(double permitsPerSecond, Clock clock) {
    if (!(permitsPerSecond >= 0) || Double.isInfinite(permitsPerSecond)) {
      throw new IllegalArgumentException(
          "rate must be a finite number >= 0 (0 = no limit), got " + permitsPerSecond);
    }
    this.nanosPerPermit = permitsPerSecond == 0 ? 0 : 1e9 / permitsPerSecond;
    this.maxCatchUpNanos = (long) (MAX_CATCH_UP_SECONDS * 1e9);
    this.clock = clock;
  }

  /** A pacer on the system clock. */
  public static RatePacer perSecond(double permitsPerSecond) {
    return new RatePacer(permitsPerSecond, Clock.SYSTEM);
  }

  /** Whether this pacer never waits. */
  public boolean unlimited() {
    return nanosPerPermit == 0;
  }

  /**
   * Waits until the next permit is due, or until {@code keepWaiting} turns false (checked at least
   * every 100 ms). An interrupt ends the wait early and leaves the thread's interrupt flag set.
   */
  public void acquire(BooleanSupplier keepWaiting) {
    if (unlimited()) {
      return;
    }
    long now = clock.nanoTime();
    if (!started) {
      started = true;
      startNanos = now;
    }
    long due = startNanos + (long) (issued * nanosPerPermit);
    long behind = now - due;
    if (behind > maxCatchUpNanos) {
      // Forgive the part of the backlog beyond the cap by moving the schedule forward.
      startNanos += behind - maxCatchUpNanos;
      due += behind - maxCatchUpNanos;
    }
    issued++;
    try {
      while (now < due && keepWaiting.getAsBoolean()) {
        clock.sleepNanos(Math.min(due - now, MAX_SLEEP_NANOS));
        now = clock.nanoTime();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Permits handed out so far. */
  public long issued() {
    return issued;
  }
}
