package dev.vaestream.core.security;

import java.util.Locale;

/**
 * The parts of vae-stream that talk to Kafka, each with its own least-privilege ACLs ({@link
 * AccessPolicy}). The scorer's statistics stream is a role of its own because it is a separate
 * Kafka Streams application (own group, internal topics and transactional ids), although by default
 * it runs inside the scorer process with the scorer's credentials.
 */
public enum ServiceRole {
  PRODUCER("vae-producer"),
  TRAINER("vae-trainer"),
  SCORER("vae-scorer"),
  SCORER_STATS("vae-scorer");

  private final String defaultUser;

  ServiceRole(String defaultUser) {
    this.defaultUser = defaultUser;
  }

  /** The SASL user name the docs, the demo and the tests give this role. */
  public String defaultUser() {
    return defaultUser;
  }

  /** The default principal, e.g. {@code User:vae-trainer}. */
  public String defaultPrincipal() {
    return "User:" + defaultUser;
  }

  /** The name used on the command line and in the docs: {@code scorer-stats}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * Parses a {@link #wireName()} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the valid roles
   */
  public static ServiceRole fromWireName(String name) {
    for (ServiceRole role : values()) {
      if (role.wireName().equalsIgnoreCase(name.trim())) {
        return role;
      }
    }
    throw new IllegalArgumentException(
        "unknown service '" + name + "' (one of producer, trainer, scorer, scorer-stats)");
  }
}
