package dev.vaestream.core.config;

/** A configuration problem the user can fix; its message is shown as is, without a stack trace. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
