package dev.vaestream.scorer;

import dev.vaestream.core.model.BatchScores;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs the scorer's forward passes, either on a thread of its own ({@link #pipelined()}) or inline
 * on the caller's ({@link #inline()}).
 *
 * <p>Why a thread of its own: the forward pass is about two thirds of the scoring thread's work,
 * and the rest (polling, decoding, writing and sending the score records, committing) does not
 * depend on it. With the forward pass on its own thread the scoring thread prepares the next batch
 * and sends the previous one while this batch is scored, so on two or more cores the stream runs at
 * about the forward pass's own rate instead of at the sum of both (see {@link ScoringLoop}).
 *
 * <p>One forward pass at a time, in submission order. ND4J's per-thread scratch memory is freed on
 * the thread that used it when the model changes ({@link BatchScorer#releaseThreadScratch}).
 */
final class ForwardWorker implements AutoCloseable {
  private static final long CLOSE_WAIT_SECONDS = 10;

  private final ExecutorService executor;
  // Touched only on the thread that runs the forward passes.
  private LoadedModel lastModel;

  private ForwardWorker(ExecutorService executor) {
    this.executor = executor;
  }

  /** Forward passes on a daemon thread named {@code scorer-forward}. */
  static ForwardWorker pipelined() {
    return new ForwardWorker(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "scorer-forward");
              t.setDaemon(true);
              return t;
            }));
  }

  /** Forward passes on the calling thread: {@link #submit} returns a completed future. */
  static ForwardWorker inline() {
    return new ForwardWorker(null);
  }

  boolean isPipelined() {
    return executor != null;
  }

  /**
   * Scores the first {@code rows} images of {@code pixels} (scaled, 784 per image) with {@code
   * model}, without reconstructions. The caller must not write {@code pixels} until the result is
   * done.
   */
  Future<BatchScores> submit(LoadedModel model, float[] pixels, int rows) {
    if (executor == null) {
      return CompletableFuture.completedFuture(forward(model, pixels, rows));
    }
    return executor.submit(() -> forward(model, pixels, rows));
  }

  private BatchScores forward(LoadedModel model, float[] pixels, int rows) {
    if (model != lastModel) {
      if (lastModel != null) {
        BatchScorer.releaseThreadScratch();
      }
      lastModel = model;
    }
    // No reconstructions: the gallery recomputes the few it keeps (AnomalyGallery).
    return model.model().score(pixels, rows, false);
  }

  /** Stops the thread after the forward pass it is running, if any. */
  @Override
  public void close() {
    if (executor == null) {
      return;
    }
    executor.shutdownNow();
    try {
      executor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
