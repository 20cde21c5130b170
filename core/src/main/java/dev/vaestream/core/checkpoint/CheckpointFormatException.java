package dev.vaestream.core.checkpoint;

/**
 * A checkpoint that must not be loaded: wrong version or architecture, bad length, bad checksum,
 * missing or wrong signature. The message says which, and names the source.
 */
public final class CheckpointFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Machine-readable rejection reason, used as a metric tag. */
  public enum Reason {
    MISSING,
    TRUNCATED,
    BAD_MAGIC,
    BAD_VERSION,
    WRONG_ARCHITECTURE,
    BAD_LENGTH,
    BAD_CHECKSUM,
    UNSIGNED,
    BAD_SIGNATURE;

    public String code() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Reason reason;

  public CheckpointFormatException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
