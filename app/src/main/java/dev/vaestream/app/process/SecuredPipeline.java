package dev.vaestream.app.process;

import dev.vaestream.core.security.AccessPolicy;
import dev.vaestream.core.security.ResourceNames;
import dev.vaestream.core.security.ServiceRole;
import dev.vaestream.localkafka.BrokerSecurity;
import dev.vaestream.localkafka.LocalKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Sets a secured in-process broker up the way an administrator sets up a production cluster for
 * vae-stream: the pipeline's topics, one SCRAM user per service with a random password, exactly the
 * ACLs of {@link AccessPolicy}, and for each service a mode-600 {@code --kafka-config} file with
 * its own credentials, plus a checkpoint key file. Used by {@code demo --secure}, {@code chaos
 * --secure} and the secured-broker tests, so what the tests prove is what the demo runs.
 */
public final class SecuredPipeline {
  /** The roles that run as their own process, each with its own user. */
  public static final List<ServiceRole> SERVICES =
      List.of(ServiceRole.PRODUCER, ServiceRole.TRAINER, ServiceRole.SCORER);

  private final LocalKafka broker;
  private final Path dir;
  private final Map<ServiceRole, Path> kafkaConfigs;
  private final Map<ServiceRole, String> passwords;
  private final Path checkpointKeyFile;

  private SecuredPipeline(
      LocalKafka broker,
      Path dir,
      Map<ServiceRole, Path> kafkaConfigs,
      Map<ServiceRole, String> passwords,
      Path keyFile) {
    this.broker = broker;
    this.dir = dir;
    this.kafkaConfigs = kafkaConfigs;
    this.passwords = passwords;
    this.checkpointKeyFile = keyFile;
  }

  /**
   * Creates the topics, users, ACLs and files on {@code broker} (started with {@link
   * LocalKafka#startSecured()}); the files go to {@code dir}.
   */
  public static SecuredPipeline setUp(LocalKafka broker, Path dir) {
    if (broker.security() == null) {
      throw new IllegalArgumentException("the broker is not in secured mode");
    }
    PipelineTopics.create(broker);
    Map<ServiceRole, Path> configs = new EnumMap<>(ServiceRole.class);
    Map<ServiceRole, String> passwords = new EnumMap<>(ServiceRole.class);
    try {
      Files.createDirectories(dir);
      for (ServiceRole role : SERVICES) {
        String password = BrokerSecurity.randomSecret();
        configs.put(role, userWithConfig(broker, dir, role.defaultUser(), password));
        passwords.put(role, password);
      }
      for (ServiceRole role : ServiceRole.values()) {
        broker.createAcls(AccessPolicy.forService(role, role.defaultPrincipal()));
      }
      Path key = dir.resolve("checkpoint.key");
      String secret = BrokerSecurity.randomSecret();
      writePrivate(key, w -> w.write(secret + "\n"));
      return new SecuredPipeline(broker, dir, configs, passwords, key);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the services' secrets to " + dir, e);
    }
  }

  /**
   * Adds one more principal: a SCRAM user {@code user} with a random password, exactly the ACLs
   * {@link AccessPolicy} gives {@code role} on the resources {@code names}, and its mode-600 client
   * properties file ({@code <user>.properties}), which is returned. For a second instance of a role
   * on its own resources (the chaos campaign's reference trainer), or a role under its own
   * principal (the statistics stream, through the scorer's {@code --stats-config}).
   */
  public Path addPrincipal(String user, ServiceRole role, ResourceNames names) {
    try {
      Path file = userWithConfig(broker, dir, user, BrokerSecurity.randomSecret());
      broker.createAcls(AccessPolicy.forService(role, "User:" + user, names));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the secrets of " + user + " to " + dir, e);
    }
  }

  /** The {@code --kafka-config} file of a service: its own SCRAM user, trusting the broker. */
  public Path kafkaConfig(ServiceRole role) {
    return kafkaConfigs.get(role);
  }

  /** The password of a service's user (tests only). */
  public String password(ServiceRole role) {
    return passwords.get(role);
  }

  /** The checkpoint HMAC key file of the trainer and the scorer. */
  public Path checkpointKeyFile() {
    return checkpointKeyFile;
  }

  private interface Body {
    void write(Writer w) throws IOException;
  }

  /** Creates the SCRAM user and writes its client properties file; returns the file. */
  private static Path userWithConfig(LocalKafka broker, Path dir, String user, String password)
      throws IOException {
    broker.addScramUser(user, password);
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", broker.bootstrapServers());
    broker
        .security()
        .clientConfig(user, password)
        .forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
    Path file = dir.resolve(fileName(user) + ".properties");
    writePrivate(file, w -> p.store(w, "User:" + user + ": its own credentials"));
    return file;
  }

  /** The services' files keep their role names ({@code scorer.properties}). */
  private static String fileName(String user) {
    for (ServiceRole role : SERVICES) {
      if (role.defaultUser().equals(user)) {
        return role.wireName();
      }
    }
    return user;
  }

  private static void writePrivate(Path file, Body body) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (Writer w = Files.newBufferedWriter(file)) {
      body.write(w);
    }
  }
}
