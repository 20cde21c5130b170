package dev.vaestream.core.offline;

import java.util.Arrays;

/**
 * Area under the ROC curve of a score that should be higher for anomalies: the probability that a
 * random anomaly outscores a random normal sample, ties counting half (Mann-Whitney U).
 */
public final class Auroc {
  private Auroc() {}

  /** AUROC of {@code anomalies} against {@code normals}; NaN when either is empty. */
  public static double of(double[] normals, double[] anomalies) {
    int n0 = normals.length;
    int n1 = anomalies.length;
    if (n0 == 0 || n1 == 0) {
      return Double.NaN;
    }
    double[][] all = new double[n0 + n1][];
    for (int i = 0; i < n0; i++) {
      all[i] = new double[] {normals[i], 0};
    }
    for (int i = 0; i < n1; i++) {
      all[n0 + i] = new double[] {anomalies[i], 1};
    }
    Arrays.sort(all, (a, b) -> Double.compare(a[0], b[0]));
    double rankSum = 0;
    int i = 0;
    while (i < all.length) {
      int j = i;
      while (j + 1 < all.length && all[j + 1][0] == all[i][0]) {
        j++;
      }
      double midRank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        if (all[k][1] == 1) {
          rankSum += midRank;
        }
      }
      i = j + 1;
    }
    double u = rankSum - (double) n1 * (n1 + 1) / 2;
    return u / ((double) n0 * n1);
  }
}
