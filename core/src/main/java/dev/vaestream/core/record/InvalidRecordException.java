package dev.vaestream.core.record;

import java.util.Locale;

/**
 * An input record that cannot be an image. Carries a machine-readable {@link Reason} (the DLQ
 * reason header) and a human-readable detail.
 */
public final class InvalidRecordException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why a record was rejected; {@link #code()} is the value of the DLQ reason header. */
  public enum Reason {
    NULL_KEY,
    NULL_VALUE,
    BAD_SIZE,
    BAD_VERSION,
    MISSING_HEADER,
    BAD_HEADER;

    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Reason reason;

  public InvalidRecordException(Reason reason, String detail) {
    super(detail);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
