package dev.vaestream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pacer against a fake clock: deterministic, no wall-clock timing. */
class RatePacerTest {

  /** A clock that only moves when someone sleeps or the test advances it. */
  static final class FakeClock implements RatePacer.Clock {
    long now = 1_000_000_000L;
    long slept;
    int sleeps;

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleepNanos(long nanos) {
      assertThat(nanos).isPositive();
      now += nanos;
      slept += nanos;
      sleeps++;
    }

    void advance(long nanos) {
      now += nanos;
    }
  }

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void holdsTheRateOverTenSeconds() {
    FakeClock clock = new FakeClock();
    RatePacer pacer = new RatePacer(1000, clock);
    long start = clock.now;

    for (int i = 0; i < 10_001; i++) {
      pacer.acquire(() -> true);
      clock.advance(20_000); // the send itself takes 20 us
    }

    // Permit 10000 is due exactly 10 s after the first one.
    double seconds = (clock.now - start) / 1e9;
    assertThat(10_000 / seconds).isCloseTo(1000, within(1000 * 0.001));
  }

  @Test
  void workTimeIsAbsorbedInsteadOfAddedToTheInterval() {
    FakeClock clock = new FakeClock();
    RatePacer pacer = new RatePacer(100, clock);
    long start = clock.now;

    for (int i = 0; i < 1001; i++) {
      pacer.acquire(() -> true);
      clock.advance(7_000_000); // 7 ms of work in each 10 ms slot
    }

    assertThat((clock.now - start) / 1e9).isCloseTo(10.007, within(0.0001));
  }

  @Test
  void fractionalRatesDoNotDriftFromRounding() {
    FakeClock clock = new FakeClock();
    RatePacer pacer = new RatePacer(3, clock);
    long start = clock.now;

    for (int i = 0; i < 31; i++) {
      pacer.acquire(() -> true);
    }

    assertThat(clock.now - start).isCloseTo(10 * SECOND, within(1L));
  }

  @Test
  void aLateLoopCatchesUpWithoutSleeping() {
    FakeClock clock = new FakeClock();
    RatePacer pacer = new RatePacer(1000, clock);
    pacer.acquire(() -> true);
    clock.advance(SECOND / 2); // a 0.5 s stall: 500 permits overdue
    int sleepsBefore = clock.sleeps;

    for (int i = 0; i < 500; i++) {
      pacer.acquire(() -> true);
    }

    assertThat(clock.sleeps).isEqualTo(sleepsBefore);
    pacer.acquire(() -> true);
    assertThat(clock.sleeps).isGreaterThan(sleepsBefore);
  }

  @Test
  void aLongStallIsForgivenBeyondOneSecondOfPermits() {
    FakeClock clock = new FakeClock();
    RatePacer pacer = new RatePacer(100, clock);
    pacer.acquire(() -> true);
    clock.advance(10 * SECOND); // 1000 permits overdue, only 100 (1 s) may burst

    int burst = 0;
    while (true) {
      int sleeps = clock.sleeps;
      pacer.acquire(() -> true);
      if (clock.sleeps > sleeps) {
        break;
      }
      burst++;
    }

    assertThat(burst).isBetween(100, 102);
  }

  @Test
  void zeroMeansUnlimitedAndNeverTouchesTheClock() {
    FakeClock clock = new FakeClock();
    RatePacer pacer = new RatePacer(0, clock);

    for (int i = 0; i < 100_000; i++) {
      pacer.acquire(() -> true);
    }

    assertThat(pacer.unlimited()).isTrue();
    assertThat(clock.sleeps).isZero();
  }

  @Test
  void stopsWaitingWhenAskedToStop() {
    FakeClock clock = new FakeClock();
    RatePacer pacer = new RatePacer(0.01, clock); // one permit per 100 s
    pacer.acquire(() -> true);
    int[] checks = {0};

    pacer.acquire(() -> ++checks[0] < 3);

    // Sleeps are sliced (at most 100 ms each) so a stop is seen within 0.1 s.
    assertThat(clock.slept).isLessThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
  }

  @Test
  void rejectsNegativeAndNonFiniteRates() {
    assertThatThrownBy(() -> new RatePacer(-1, new FakeClock()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RatePacer(Double.NaN, new FakeClock()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RatePacer(Double.POSITIVE_INFINITY, new FakeClock()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
