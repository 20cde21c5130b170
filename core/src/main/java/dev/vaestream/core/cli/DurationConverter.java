package dev.vaestream.core.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a duration flag: a number with a unit, {@code 500ms}, {@code 30s}, {@code 1.5s}, {@code
 * 2m}, {@code 1h}, {@code 1d}, or ISO-8601 ({@code PT30S}). A bare number still means seconds, as
 * the old seconds-valued flags did, but prints a deprecation warning to standard error.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern WITH_UNIT =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);
  private static final Pattern BARE = Pattern.compile("\\d+(?:\\.\\d+)?");

  @Override
  public Duration convert(String value) {
    Duration d = parse(value);
    if (BARE.matcher(value.trim()).matches()) {
      Deprecations.warn(
          "a duration without a unit ("
              + value.trim()
              + ") is read as seconds; write "
              + value.trim()
              + "s");
    }
    return d;
  }

  /**
   * Parses {@code value} without warnings.
   *
   * @throws TypeConversionException naming the accepted forms
   */
  public static Duration parse(String value) {
    String v = value == null ? "" : value.trim();
    try {
      if (BARE.matcher(v).matches()) {
        return ofMillis(new BigDecimal(v).movePointRight(3), value);
      }
      Matcher m = WITH_UNIT.matcher(v);
      if (m.matches()) {
        BigDecimal amount = new BigDecimal(m.group(1));
        BigDecimal millis =
            switch (m.group(2).toLowerCase(Locale.ROOT)) {
              case "ms" -> amount;
              case "s" -> amount.movePointRight(3);
              case "m" -> amount.multiply(BigDecimal.valueOf(60_000));
              case "h" -> amount.multiply(BigDecimal.valueOf(3_600_000));
              default -> amount.multiply(BigDecimal.valueOf(86_400_000));
            };
        return ofMillis(millis, value);
      }
      if (v.regionMatches(true, 0, "P", 0, 1)) {
        return Duration.parse(v.toUpperCase(Locale.ROOT));
      }
    } catch (DateTimeParseException | ArithmeticException e) {
      // fall through to the one message below
    }
    throw new TypeConversionException(
        "'" + value + "' is not a duration: use e.g. 500ms, 30s, 1.5s, 2m, 1h");
  }

  private static Duration ofMillis(BigDecimal millis, String value) {
    if (millis.stripTrailingZeros().scale() > 0) {
      throw new TypeConversionException(
          "'" + value + "' is finer than a millisecond: use e.g. 500ms, 30s");
    }
    return Duration.ofMillis(millis.longValueExact());
  }

  /** {@code 30s}, {@code 1.5s}, {@code 500ms}: how a duration is shown in messages and help. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms < 1000
        ? ms + "ms"
        : BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString() + "s";
  }
}
