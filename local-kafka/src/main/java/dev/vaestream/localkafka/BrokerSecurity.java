package dev.vaestream.localkafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The secured mode of {@link LocalKafka}: what a locked-down production cluster does, on one node.
 * Clients connect over {@code SASL_SSL} and authenticate with SCRAM-SHA-512; the broker authorises
 * every request with KRaft's {@code StandardAuthorizer} and denies whatever no ACL allows ({@code
 * allow.everyone.if.no.acl.found=false}).
 *
 * <p>Material made here, in a temporary directory that {@link #close()} deletes (nothing reaches
 * the repository): a self-signed certificate for {@code localhost} and {@code 127.0.0.1} made with
 * the JDK's {@code keytool}, the broker's PKCS12 key store, a trust store that trusts it, and
 * random passwords. Two principals are built in: {@code User:broker} (the node talking to itself
 * over the controller and inter-broker listeners, with PLAIN) and {@code User:admin} (the super
 * user for setting up topics, SCRAM users and ACLs, with PLAIN too). Everyone else is an ordinary
 * SCRAM user created with {@link LocalKafka#addScramUser} and holds only the ACLs given to it.
 */
public final class BrokerSecurity implements AutoCloseable {
  /** The super user's name: for setup only, never for a service. */
  public static final String ADMIN_USER = "admin";

  /** The SASL mechanism of ordinary users. */
  public static final String MECHANISM = "SCRAM-SHA-512";

  private static final String BROKER_USER = "broker";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final Path keyStore;
  private final Path trustStore;
  private final String storePassword;
  private final String brokerPassword;
  private final String adminPassword;

  private BrokerSecurity(Path dir) {
    this.dir = dir;
    this.keyStore = dir.resolve("broker.p12");
    this.trustStore = dir.resolve("truststore.p12");
    this.storePassword = randomSecret();
    this.brokerPassword = randomSecret();
    this.adminPassword = randomSecret();
  }

  /**
   * Makes the certificate, key store and trust store.
   *
   * @throws IllegalStateException if {@code keytool} fails
   */
  public static BrokerSecurity create() {
    Path dir;
    try {
      dir = Files.createTempDirectory("vae-stream-tls-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    BrokerSecurity security = new BrokerSecurity(dir);
    try {
      selfSigned(security.keyStore, "broker", "CN=localhost", security.storePassword);
      trustStoreFor(security.keyStore, "broker", security.trustStore, security.storePassword);
      return security;
    } catch (RuntimeException e) {
      security.close();
      throw e;
    }
  }

  /** A random password, 24 bytes of entropy, safe in JAAS and properties files. */
  public static String randomSecret() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * The broker's settings for the secured mode; they win over {@link LocalKafka}'s defaults.
   *
   * @param brokerPort the clients' (and inter-broker) listener, {@code SASL_SSL}
   * @param controllerPort the controller's listener, {@code SASL_PLAINTEXT} on loopback
   */
  Properties brokerConfig(int brokerPort, int controllerPort) {
    Properties p = new Properties();
    p.put(
        "listeners",
        "SASL_SSL://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort);
    p.put("advertised.listeners", "SASL_SSL://localhost:" + brokerPort);
    p.put("inter.broker.listener.name", "SASL_SSL");
    p.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT");
    p.put("sasl.enabled.mechanisms", "PLAIN," + MECHANISM);
    p.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
    p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
    p.put("sasl.mechanism.controller.protocol", "PLAIN");
    String plain =
        "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\""
            + BROKER_USER
            + "\" password=\""
            + brokerPassword
            + "\" user_"
            + BROKER_USER
            + "=\""
            + brokerPassword
            + "\"";
    p.put(
        "listener.name.sasl_ssl.plain.sasl.jaas.config",
        plain + " user_" + ADMIN_USER + "=\"" + adminPassword + "\";");
    p.put("listener.name.controller.plain.sasl.jaas.config", plain + ";");
    p.put(
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    p.put("ssl.keystore.type", "PKCS12");
    p.put("ssl.keystore.location", keyStore.toString());
    p.put("ssl.keystore.password", storePassword);
    p.put("ssl.key.password", storePassword);
    p.put("ssl.truststore.type", "PKCS12");
    p.put("ssl.truststore.location", trustStore.toString());
    p.put("ssl.truststore.password", storePassword);
    p.put("ssl.client.auth", "none");
    p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    p.put("allow.everyone.if.no.acl.found", "false");
    p.put("super.users", "User:" + BROKER_USER + ";User:" + ADMIN_USER);
    return p;
  }

  /** Client settings of the super user (PLAIN over TLS). */
  public Map<String, Object> adminClientConfig() {
    Map<String, Object> c = tls(trustStore);
    c.put("sasl.mechanism", "PLAIN");
    c.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + ADMIN_USER
            + "\" password=\""
            + adminPassword
            + "\";");
    return c;
  }

  /** Client settings of an ordinary SCRAM user, trusting this broker's certificate. */
  public Map<String, Object> clientConfig(String user, String password) {
    return clientConfig(user, password, trustStore);
  }

  /** As {@link #clientConfig(String, String)} with another trust store (e.g. an untrusted one). */
  public Map<String, Object> clientConfig(String user, String password, Path trustStore) {
    Map<String, Object> c = tls(trustStore);
    c.put("sasl.mechanism", MECHANISM);
    c.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + user
            + "\" password=\""
            + password
            + "\";");
    return c;
  }

  /**
   * A trust store that trusts a different, freshly made certificate and not the broker's: a client
   * using it must refuse the broker.
   */
  public Path untrustedTrustStore() {
    Path other = dir.resolve("other.p12");
    Path store = dir.resolve("untrusted-truststore.p12");
    if (!Files.exists(store)) {
      selfSigned(other, "other", "CN=localhost", storePassword);
      trustStoreFor(other, "other", store, storePassword);
    }
    return store;
  }

  /** The trust store clients use: it trusts the broker's self-signed certificate. */
  public Path trustStore() {
    return trustStore;
  }

  /** The password of both stores (tests write it into a client's properties file). */
  public String storePassword() {
    return storePassword;
  }

  private Map<String, Object> tls(Path trust) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("security.protocol", "SASL_SSL");
    c.put("ssl.truststore.type", "PKCS12");
    c.put("ssl.truststore.location", trust.toString());
    c.put("ssl.truststore.password", storePassword);
    return c;
  }

  /** Deletes the key material. */
  @Override
  public void close() {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      // A leftover temporary directory of test keys is harmless.
    }
  }

  private static void selfSigned(Path store, String alias, String dname, String password) {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                dname,
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass:env",
                "STOREPASS"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("STOREPASS", password);
    try {
      Process p = pb.start();
      String output = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("keytool could not make a certificate: " + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + keytool + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while making a certificate", e);
    }
  }

  private static void trustStoreFor(Path keyStore, String alias, Path trustStore, String password) {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keyStore)) {
        keys.load(in, password.toCharArray());
      }
      Certificate cert = keys.getCertificate(alias);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry(alias + "-ca", cert);
      try (OutputStream out = Files.newOutputStream(trustStore)) {
        trust.store(out, password.toCharArray());
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot make the trust store: " + e.getMessage(), e);
    }
  }
}
