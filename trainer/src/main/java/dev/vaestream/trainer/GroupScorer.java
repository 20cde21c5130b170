package dev.vaestream.trainer;

import dev.vaestream.core.model.BatchScores;
import dev.vaestream.core.model.VaeForward;
import dev.vaestream.core.model.VaeModel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The prequential test of a group of 32 images: always as two blocks of 16, the second on a helper
 * thread so that the forward pass takes about the time of one block.
 *
 * <p>Why: the training thread is the trainer's bottleneck, and on it alone the test cost ~0.6 ms
 * per group next to a ~7.7 ms step, while the other core is mostly idle (the poller decodes a few
 * thousand records a second). The test must use the parameters after the previous step, so it
 * cannot run ahead of training; splitting it is what is left.
 *
 * <p>Deterministic: the blocks are fixed, and a block's scores do not depend on which thread
 * computes it, so the guard decides the same on any machine and after any restart. The caller
 * computes the second block itself when the helper has not started it by the time the first is done
 * (a busy or single core), so a slow helper never costs more than scoring both blocks in turn.
 */
final class GroupScorer implements AutoCloseable {
  static final int BLOCK = OnlineLearner.GROUP / 2;

  private static final int IDLE = 0;
  private static final int POSTED = 1;
  private static final int CLAIMED = 2;
  private static final int DONE = 3;
  private static final int CLOSED = 4;

  /** Spins before the caller parks while waiting for the helper (a block takes ~0.3 ms). */
  private static final long SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  /** How long a {@link #prime primed} helper spins for the next group before it parks. */
  private static final long PRIMED_SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

  private final VaeForward first;
  private final VaeForward second;
  private final AtomicInteger state = new AtomicInteger(IDLE);
  private final Thread helper;
  private volatile boolean primed;
  private float[] images;
  private BatchScores secondScores;
  private Throwable secondFailure;

  /**
   * @param helperThread whether to score the second block on a helper thread (false: both blocks on
   *     the caller, with the same results)
   */
  GroupScorer(VaeModel model, boolean helperThread) {
    this.first = model.forward();
    this.second = model.forward();
    if (helperThread) {
      helper = new Thread(this::helperLoop, "trainer-score");
      helper.setDaemon(true);
      helper.start();
    } else {
      helper = null;
    }
  }

  /** Whether a helper thread pays off: there is a second core for it. */
  static boolean helperWorthwhile() {
    return Runtime.getRuntime().availableProcessors() >= 2;
  }

  /**
   * Wakes the helper ahead of the next {@link #score}: it then waits spinning for a short while.
   * Waking a parked thread took 70 us on average, 0.16 ms under load; the caller calls this when a
   * step is done, and gathering the next group hides the wake-up.
   */
  void prime() {
    if (helper != null) {
      primed = true;
      LockSupport.unpark(helper);
    }
  }

  /** Scores the {@code 2 * BLOCK} images of {@code group} with the model's current parameters. */
  BatchScores score(float[] group) {
    if (helper == null) {
      return merge(first.score(group, 0, BLOCK, false), second.score(group, BLOCK, BLOCK, false));
    }
    images = group;
    secondScores = null;
    secondFailure = null;
    if (!state.compareAndSet(IDLE, POSTED)) {
      throw new IllegalStateException("group scorer closed or in use");
    }
    LockSupport.unpark(helper);
    BatchScores a;
    Throwable failure;
    BatchScores b;
    try {
      a = first.score(group, 0, BLOCK, false);
    } finally {
      if (state.compareAndSet(POSTED, CLAIMED)) {
        // The helper has not started: score the second block here.
        scoreSecond();
      }
      awaitSecond();
      failure = secondFailure;
      b = secondScores;
      images = null;
      state.set(IDLE);
    }
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
    return merge(a, b);
  }

  private void awaitSecond() {
    long spinUntil = System.nanoTime() + SPIN_NANOS;
    while (state.get() != DONE) {
      if (System.nanoTime() < spinUntil) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(this, 50_000);
      }
    }
  }

  /** Scores the second block; whoever moved the state to CLAIMED calls this, once per group. */
  private void scoreSecond() {
    try {
      secondScores = second.score(images, BLOCK, BLOCK, false);
    } catch (Throwable t) {
      secondFailure = t;
    }
    state.set(DONE);
  }

  private void helperLoop() {
    while (true) {
      int s = state.get();
      if (s == CLOSED) {
        return;
      }
      if (s == POSTED && state.compareAndSet(POSTED, CLAIMED)) {
        primed = false;
        scoreSecond();
      } else if (primed) {
        primed = false;
        long until = System.nanoTime() + PRIMED_SPIN_NANOS;
        while (state.get() != POSTED && state.get() != CLOSED && System.nanoTime() < until) {
          Thread.onSpinWait();
        }
      } else {
        LockSupport.park(this);
      }
    }
  }

  private static BatchScores merge(BatchScores a, BatchScores b) {
    int n = a.size() + b.size();
    float[] error = new float[n];
    float[] kl = new float[n];
    System.arraycopy(a.reconstructionError(), 0, error, 0, a.size());
    System.arraycopy(b.reconstructionError(), 0, error, a.size(), b.size());
    System.arraycopy(a.kl(), 0, kl, 0, a.size());
    System.arraycopy(b.kl(), 0, kl, a.size(), b.size());
    return new BatchScores(error, kl, null);
  }

  /** Stops the helper thread; the caller must not be scoring. */
  @Override
  public void close() {
    state.set(CLOSED);
    if (helper != null) {
      LockSupport.unpark(helper);
    }
  }
}
