package dev.vaestream.app.archfixtures;

import dev.vaestream.bench.BenchCommand;

/** Violates: a service class that depends on the benchmarks, which ship outside the image. */
public final class BenchInService {
  /** The benchmark command a service must not link to. */
  public Object bench() {
    return new BenchCommand();
  }
}
