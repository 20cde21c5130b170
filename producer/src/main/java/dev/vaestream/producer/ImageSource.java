package dev.vaestream.producer;

import dev.vaestream.core.data.AnomalyKind;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.offline.Shuffle;
import dev.vaestream.core.record.ImageRecord;
import dev.vaestream.core.scenario.Scenario;
import dev.vaestream.core.scenario.ScenarioImages;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * The images a producer run sends, in order: the split's images pass after pass (in index order or
 * shuffled), up to the plan's limit, with a fraction replaced by synthetic anomalies.
 *
 * <p>Why a separate, Kafka-free class: the sequence is a pure function of the data and the {@link
 * StreamPlan} (its seed in particular), so it can be tested exhaustively without a broker, and a
 * run can be reproduced exactly. Only {@code produced_at} depends on the wall clock.
 *
 * <p>With a drift {@link Scenario}, images are drawn by {@link ScenarioImages} instead: the
 * scenario's phases in order, each record carrying its {@code phase}, anomalies injected on top at
 * the plan's rate, everything from the plan's seed; the stream ends with the scenario (or the
 * plan's limit). Epochs, loop and shuffle do not apply; an image's id ends in its position in the
 * stream.
 *
 * <p>Not thread-safe: one run loop iterates it.
 */
public final class ImageSource implements Iterator<ImageRecord> {
  private final MnistDataset data;
  private final StreamPlan plan;
  private final LongSupplier wallClockMs;
  private final AnomalyKind[] kinds;
  private final OptionalLong total;
  private final ScenarioImages scenario;

  private long pass;
  private int[] order;
  private int position;
  private long emitted;

  /**
   * @param wallClockMs stamps {@code produced_at}; {@code System::currentTimeMillis} in production
   */
  public ImageSource(MnistDataset data, StreamPlan plan, LongSupplier wallClockMs) {
    this(data, plan, null, wallClockMs);
  }

  /**
   * @param scenario a drift scenario to follow, or null for the plan's passes over the split
   */
  public ImageSource(
      MnistDataset data, StreamPlan plan, Scenario scenario, LongSupplier wallClockMs) {
    this.data = data;
    this.plan = plan;
    this.wallClockMs = wallClockMs;
    this.kinds = plan.anomalyKinds().toArray(new AnomalyKind[0]);
    if (scenario == null) {
      this.scenario = null;
      this.total = plan.total(data.size());
    } else {
      this.scenario =
          new ScenarioImages(data, scenario, plan.seed(), plan.anomalyRate(), List.of(kinds));
      long length = scenario.totalImages();
      OptionalLong limit = plan.limit();
      if (length < 0) {
        this.total = limit;
      } else {
        this.total =
            OptionalLong.of(limit.isPresent() ? Math.min(length, limit.getAsLong()) : length);
      }
    }
  }

  /** The plan this source follows. */
  public StreamPlan plan() {
    return plan;
  }

  /** How many images this source yields in all, or empty if it never ends. */
  public OptionalLong total() {
    return total;
  }

  /** How many images {@link #next()} has returned so far. */
  public long emitted() {
    return emitted;
  }

  @Override
  public boolean hasNext() {
    return total.isEmpty() || emitted < total.getAsLong();
  }

  @Override
  public ImageRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException("the stream plan is exhausted");
    }
    if (scenario != null) {
      ScenarioImages.Item item = scenario.at(emitted++);
      return new ImageRecord(
          ImageRecord.id(data.split(), item.index(), item.position()),
          item.pixels(),
          item.label(),
          data.split(),
          item.index(),
          item.anomaly(),
          wallClockMs.getAsLong(),
          item.phase());
    }
    if (order == null) {
      order = orderOf(pass);
    } else if (position == order.length) {
      pass++;
      order = orderOf(pass);
      position = 0;
    }
    int index = order[position++];
    emitted++;
    return imageAt(pass, index);
  }

  /**
   * Image {@code index} as it is sent on loop pass {@code pass}: the real digit, or the anomaly
   * that replaces it. The anomaly keeps the digit's label, split and index.
   */
  public ImageRecord imageAt(long pass, int index) {
    byte[] pixels = data.image(index);
    AnomalyKind anomaly = null;
    if (plan.anomalyRate() > 0) {
      // One generator per (seed, pass, index): the draw for an image does not depend on which
      // images came before it, so --limit or a shuffle never changes which images are anomalies.
      SplittableRandom rnd = new SplittableRandom(imageSeed(plan.seed(), pass, index));
      if (rnd.nextDouble() < plan.anomalyRate()) {
        anomaly = AnomalyKind.draw(kinds, data.label(index), rnd);
        if (anomaly != null) {
          pixels = anomaly.apply(pixels, rnd.nextLong());
        }
      }
    }
    return new ImageRecord(
        ImageRecord.id(data.split(), index, pass),
        pixels,
        data.label(index),
        data.split(),
        index,
        anomaly,
        wallClockMs.getAsLong());
  }

  private int[] orderOf(long pass) {
    if (plan.shuffle()) {
      return Shuffle.permutation(data.size(), plan.seed(), pass);
    }
    int[] identity = new int[data.size()];
    for (int i = 0; i < identity.length; i++) {
      identity[i] = i;
    }
    return identity;
  }

  /** A well-mixed seed for one image of one pass; stable across releases (it defines a run). */
  static long imageSeed(long seed, long pass, int index) {
    return mix64(mix64(mix64(seed) + pass) + index);
  }

  /** One SplitMix64 step: nearby inputs give unrelated outputs (and 0 does not map to 0). */
  private static long mix64(long x) {
    long z = x + 0x9e3779b97f4a7c15L;
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
