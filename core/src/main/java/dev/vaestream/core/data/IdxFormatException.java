package dev.vaestream.core.data;

/** A malformed IDX file; the message always names the file and what is wrong with it. */
public final class IdxFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public IdxFormatException(String source, String problem) {
    super(source + ": " + problem);
  }

  public IdxFormatException(String source, String problem, Throwable cause) {
    super(source + ": " + problem, cause);
  }
}
