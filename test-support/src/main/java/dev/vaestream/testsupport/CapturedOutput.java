package dev.vaestream.testsupport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntBiFunction;
import org.slf4j.LoggerFactory;

/**
 * Everything the code under test writes while this is open: every event of every logger at every
 * level, and every byte written to {@code System.out} and {@code System.err} (where the console
 * appender and anything printing directly end up). Levels are lowered to TRACE meanwhile, so what a
 * user turning on debug logging would see is included. For assertions such as "this password
 * appears nowhere". One at a time per JVM: it changes global logging state, restored on close.
 */
public final class CapturedOutput implements AutoCloseable {
  private final LoggerContext context;
  private final Map<Logger, Level> savedLevels = new HashMap<>();
  private final List<Logger> tapped = new ArrayList<>();
  private final Tap tap = new Tap();
  private final ByteArrayOutputStream streams = new ByteArrayOutputStream();
  private final PrintStream savedOut = System.out;
  private final PrintStream savedErr = System.err;

  private CapturedOutput() {
    context = (LoggerContext) LoggerFactory.getILoggerFactory();
    tap.setContext(context);
    tap.start();
    for (Logger logger : context.getLoggerList()) {
      savedLevels.put(logger, logger.getLevel());
      // Events of a non-additive logger never reach the root's appenders: tap it directly.
      if (logger.getName().equals(Logger.ROOT_LOGGER_NAME) || !logger.isAdditive()) {
        logger.addAppender(tap);
        tapped.add(logger);
      }
      logger.setLevel(logger.getName().equals(Logger.ROOT_LOGGER_NAME) ? Level.TRACE : null);
    }
    System.setOut(tee(savedOut));
    System.setErr(tee(savedErr));
  }

  /** Starts capturing. */
  public static CapturedOutput start() {
    return new CapturedOutput();
  }

  /** All captured text: rendered log events, then the standard streams. */
  public String text() {
    StringBuilder sb = new StringBuilder();
    synchronized (tap) {
      tap.rendered.forEach(line -> sb.append(line).append('\n'));
    }
    synchronized (streams) {
      sb.append(streams.toString(StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  /** The lines of {@code text} that contain any of {@code needles}. */
  public static List<String> linesContainingAny(String text, List<String> needles) {
    return text.lines().filter(line -> needles.stream().anyMatch(line::contains)).toList();
  }

  /** A command's exit code, what it wrote to its error writer, and everything captured. */
  public record Run(int exitCode, String err, String all) {}

  /**
   * Runs {@code command}, given the writers it should print to (a picocli command line's out and
   * err), with every log event and the standard streams captured. Capture starts first: picocli
   * must see the swapped {@code System.err} when the command line is built inside {@code command}.
   */
  public static Run run(ToIntBiFunction<PrintWriter, PrintWriter> command) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    try (CapturedOutput captured = start()) {
      int code = command.applyAsInt(new PrintWriter(out, true), new PrintWriter(err, true));
      return new Run(code, err.toString(), captured.text() + out + err);
    }
  }

  @Override
  public void close() {
    System.setOut(savedOut);
    System.setErr(savedErr);
    savedLevels.forEach(Logger::setLevel);
    tapped.forEach(logger -> logger.detachAppender(tap));
    tap.stop();
  }

  private PrintStream tee(PrintStream original) {
    OutputStream both =
        new OutputStream() {
          @Override
          public void write(int b) {
            original.write(b);
            synchronized (streams) {
              streams.write(b);
            }
          }

          @Override
          public void write(byte[] b, int off, int len) {
            original.write(b, off, len);
            synchronized (streams) {
              streams.write(b, off, len);
            }
          }

          @Override
          public void flush() throws IOException {
            original.flush();
          }
        };
    return new PrintStream(both, true, StandardCharsets.UTF_8);
  }

  /**
   * Renders each event with more than any layout would show: the message, every argument (also
   * those without a placeholder), key-value pairs, MDC, and the whole exception chain's messages.
   */
  private static final class Tap extends AppenderBase<ILoggingEvent> {
    private final List<String> rendered = new ArrayList<>();

    @Override
    protected void append(ILoggingEvent e) {
      StringBuilder sb = new StringBuilder();
      sb.append(e.getLevel()).append(' ').append(e.getLoggerName()).append(" [");
      sb.append(e.getThreadName()).append("] ").append(e.getFormattedMessage());
      if (e.getArgumentArray() != null) {
        for (Object arg : e.getArgumentArray()) {
          sb.append(" | arg: ").append(safeToString(arg));
        }
      }
      if (e.getKeyValuePairs() != null) {
        e.getKeyValuePairs()
            .forEach(kv -> sb.append(" | ").append(kv.key).append('=').append(kv.value));
      }
      if (!e.getMDCPropertyMap().isEmpty()) {
        sb.append(" | mdc: ").append(e.getMDCPropertyMap());
      }
      throwable(e.getThrowableProxy(), sb, 0);
      // AppenderBase.doAppend is synchronized on this appender.
      rendered.add(sb.toString());
    }

    private static void throwable(IThrowableProxy t, StringBuilder sb, int depth) {
      if (t == null || depth > 20) {
        return;
      }
      sb.append("\n  ").append(t.getClassName()).append(": ").append(t.getMessage());
      for (IThrowableProxy suppressed : t.getSuppressed()) {
        throwable(suppressed, sb, depth + 1);
      }
      throwable(t.getCause(), sb, depth + 1);
    }

    private static String safeToString(Object o) {
      try {
        return String.valueOf(o);
      } catch (RuntimeException e) {
        return "<toString failed: " + e + ">";
      }
    }
  }
}
