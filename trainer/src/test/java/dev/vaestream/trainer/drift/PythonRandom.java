package dev.vaestream.trainer.drift;

/**
 * CPython's {@code random.Random(int)}: MT19937 seeded by {@code init_by_array} with the seed's
 * 32-bit words, {@code random()} from two draws (53 bits), and {@code choices(population, k)} as
 * {@code population[floor(random() * n)]}. Enough to rebuild River's documented ADWIN example draw
 * for draw.
 */
final class PythonRandom {
  private final int[] mt = new int[624];
  private int index = 624;

  PythonRandom(int seed) {
    initGenrand(19650218);
    int[] key = {seed};
    int i = 1;
    int j = 0;
    for (int k = Math.max(624, key.length); k > 0; k--) {
      mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1664525)) + key[j] + j;
      i++;
      j++;
      if (i >= 624) {
        mt[0] = mt[623];
        i = 1;
      }
      if (j >= key.length) {
        j = 0;
      }
    }
    for (int k = 623; k > 0; k--) {
      mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1566083941)) - i;
      i++;
      if (i >= 624) {
        mt[0] = mt[623];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  private void initGenrand(int s) {
    mt[0] = s;
    for (int i = 1; i < 624; i++) {
      mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
    }
    index = 624;
  }

  private int next32() {
    if (index >= 624) {
      for (int k = 0; k < 624; k++) {
        int y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
      }
      index = 0;
    }
    int y = mt[index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y;
  }

  double random() {
    long a = (next32() & 0xffffffffL) >>> 5;
    long b = (next32() & 0xffffffffL) >>> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
  }

  /** {@code choices(population, k)} without weights. */
  int[] choices(int[] population, int k) {
    int[] out = new int[k];
    for (int i = 0; i < k; i++) {
      out[i] = population[(int) Math.floor(random() * population.length)];
    }
    return out;
  }
}
