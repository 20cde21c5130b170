package dev.vaestream.core.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress for long commands: a live status line on a terminal, plain periodic log lines otherwise
 * (CI, files, pipes), so that logs are not flooded with carriage returns.
 */
public final class Progress implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Progress.class);

  private final boolean terminal;
  private final PrintStream out;
  private final long intervalNanos;
  private long lastNanos;
  private boolean drawn;

  private Progress(boolean terminal, PrintStream out, Duration interval) {
    this.terminal = terminal;
    this.out = out;
    this.intervalNanos = interval.toNanos();
    this.lastNanos = System.nanoTime();
  }

  /** Live line on stderr when attached to a terminal; log lines every 10 s otherwise. */
  public static Progress forConsole() {
    boolean terminal = System.console() != null && System.getenv("CI") == null;
    return new Progress(
        terminal, System.err, terminal ? Duration.ofMillis(250) : Duration.ofSeconds(10));
  }

  /** Reports {@code status} if the interval has passed; the supplier is only called then. */
  public void update(Supplier<String> status) {
    long now = System.nanoTime();
    if (now - lastNanos < intervalNanos) {
      return;
    }
    lastNanos = now;
    show(status.get());
  }

  private void show(String line) {
    if (terminal) {
      out.print("\r\033[K" + line);
      out.flush();
      drawn = true;
    } else {
      log.info("{}", line);
    }
  }

  /** A bar like {@code [=====> ] 52%} for a fraction in [0, 1]. */
  public static String bar(double fraction, int width) {
    double f = Math.max(0, Math.min(1, fraction));
    int filled = (int) Math.round(f * width);
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < width; i++) {
      sb.append(i < filled ? '=' : (i == filled ? '>' : ' '));
    }
    return sb.append("] ").append(Math.round(f * 100)).append('%').toString();
  }

  /** Formats seconds as {@code 1h02m03s} / {@code 2m03s} / {@code 3s}. */
  public static String duration(double seconds) {
    if (!Double.isFinite(seconds) || seconds < 0) {
      return "?";
    }
    long s = Math.round(seconds);
    if (s >= 3600) {
      return String.format("%dh%02dm%02ds", s / 3600, (s % 3600) / 60, s % 60);
    }
    if (s >= 60) {
      return String.format("%dm%02ds", s / 60, s % 60);
    }
    return s + "s";
  }

  @Override
  public void close() {
    if (terminal && drawn) {
      out.println();
      out.flush();
    }
  }
}
