package dev.vaestream.core.offline;

import java.util.SplittableRandom;

/** Reproducible permutations: the same seed and epoch always give the same order. */
public final class Shuffle {
  private Shuffle() {}

  /** A permutation of {@code 0..n-1} for {@code epoch} of a run seeded with {@code seed}. */
  public static int[] permutation(int n, long seed, long epoch) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
