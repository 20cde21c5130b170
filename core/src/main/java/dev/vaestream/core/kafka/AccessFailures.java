package dev.vaestream.core.kafka;

import dev.vaestream.core.cli.Causes;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Optional;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;

/**
 * Turns Kafka's authentication and authorisation failures into one-line {@link UserException}s with
 * exit code 2: a wrong password, an untrusted broker certificate and a missing ACL are
 * configuration errors the operator must fix, not outages to retry. Kafka's clients do not retry
 * them either: the call fails at once, so a service stops well within its connect timeout.
 *
 * <p>The messages name the problem and the setting to check, never a credential: Kafka's own
 * messages here carry the mechanism, the principal or the resource, never a password.
 */
public final class AccessFailures {
  private AccessFailures() {}

  /**
   * The user error {@code failure} stands for, if it (or a cause) is an authentication or
   * authorisation failure.
   *
   * @param bootstrapServers named in the message (null: not named)
   * @param what what was being done, e.g. {@code set up topic vae.checkpoints}
   */
  public static Optional<UserException> of(
      Throwable failure, String bootstrapServers, String what) {
    Throwable auth = find(failure, AuthenticationException.class);
    if (auth != null) {
      return Optional.of(
          new UserException(
              authenticationMessage(auth, bootstrapServers, what), ExitCodes.USAGE, auth));
    }
    Throwable denied = find(failure, AuthorizationException.class);
    if (denied != null) {
      return Optional.of(
          new UserException(authorizationMessage(denied, what), ExitCodes.USAGE, denied));
    }
    return Optional.empty();
  }

  /** Whether {@code failure} is an authentication or authorisation failure. */
  public static boolean isAccessFailure(Throwable failure) {
    return find(failure, AuthenticationException.class) != null
        || find(failure, AuthorizationException.class) != null;
  }

  private static String authenticationMessage(Throwable e, String servers, String what) {
    String prefix = "cannot " + what + ": ";
    if (e instanceof SslAuthenticationException) {
      boolean untrusted =
          Causes.any(
              e,
              t ->
                  t instanceof CertPathValidatorException
                      || t instanceof CertificateException
                      || t.getClass().getName().contains("SunCertPathBuilderException"));
      return prefix
          + (untrusted
              ? "the TLS certificate of "
                  + kafka(servers)
                  + " is not trusted (check ssl.truststore.location in --kafka-config or"
                  + " KAFKA_SSL_TRUSTSTORE_LOCATION)"
              : "the TLS handshake with "
                  + kafka(servers)
                  + " failed: "
                  + Causes.root(e).getMessage()
                  + " (check the ssl.* settings in --kafka-config or KAFKA_*)");
    }
    if (e instanceof SaslAuthenticationException) {
      return prefix
          + "authentication with "
          + kafka(servers)
          + " failed: "
          + e.getMessage()
          + " (check the SASL user name and password in sasl.jaas.config, --kafka-config or"
          + " KAFKA_SASL_JAAS_CONFIG)";
    }
    return prefix
        + "authentication with "
        + kafka(servers)
        + " failed: "
        + e.getMessage()
        + " (check security.protocol and the SASL/SSL settings in --kafka-config or KAFKA_*)";
  }

  private static String authorizationMessage(Throwable e, String what) {
    String resource;
    if (e instanceof TopicAuthorizationException t && !t.unauthorizedTopics().isEmpty()) {
      resource = "topic(s) " + String.join(", ", t.unauthorizedTopics());
    } else if (e instanceof GroupAuthorizationException g && g.groupId() != null) {
      resource = "group " + g.groupId();
    } else if (e instanceof TransactionalIdAuthorizationException) {
      resource = "its transactional id";
    } else {
      resource = "a resource";
    }
    return "cannot "
        + what
        + ": not authorised on "
        + resource
        + " ("
        + e.getMessage()
        + "); this service's principal lacks an ACL: see bin/vae-stream acls";
  }

  private static String kafka(String servers) {
    return servers == null || servers.isBlank() ? "Kafka" : "Kafka at " + servers;
  }

  private static Throwable find(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return t;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
