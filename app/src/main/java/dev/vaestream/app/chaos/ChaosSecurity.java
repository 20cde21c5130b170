package dev.vaestream.app.chaos;

import dev.vaestream.app.process.PipelineTopics;
import dev.vaestream.app.process.SecuredPipeline;
import dev.vaestream.core.security.ResourceNames;
import dev.vaestream.core.security.ServiceRole;
import dev.vaestream.localkafka.LocalKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * What {@code chaos --secure} changes in a campaign, in one place. The broker speaks only SASL_SSL
 * and denies whatever no ACL allows ({@link LocalKafka#startSecured()}); {@link SecuredPipeline}
 * creates the topics as the administrator and one SCRAM user per service with exactly the ACLs of
 * {@code AccessPolicy}; the reference trainer is one more principal, {@value #REFERENCE_USER},
 * holding the trainer's grants on its own suffixed names only. Each service JVM gets its own {@code
 * --kafka-config} file and the campaign's checkpoint key as a mode-600 key file.
 *
 * <p>The campaign's own clients (topic set-up, lag, checkpoint watch, audit, and the hostile
 * writer) use the super user: the hostile checkpoints stand for a compromised checkpoint writer, so
 * they reach the topic, and only the HMAC stands between them and the scorer. On an open broker
 * every method here is a no-op and the campaign runs as before.
 */
final class ChaosSecurity {
  /** The reference trainer's own user on a secured broker. */
  static final String REFERENCE_USER = "vae-trainer-reference";

  private final SecuredPipeline secured;
  private final Path referenceConfig;
  private final Path keyFile;

  private ChaosSecurity(SecuredPipeline secured, Path referenceConfig, Path keyFile) {
    this.secured = secured;
    this.referenceConfig = referenceConfig;
    this.keyFile = keyFile;
  }

  /** Starts the campaign's broker: secured or open. */
  /** No security: services get no extra arguments (the open three-broker cluster). */
  static ChaosSecurity none() {
    return new ChaosSecurity(null, null, null);
  }

  static LocalKafka startBroker(boolean secure) {
    return secure ? LocalKafka.startSecured() : LocalKafka.start();
  }

  /**
   * Creates the pipeline's topics and, on a secured broker, the users, ACLs and files (in {@code
   * dir}) of the services and of the reference trainer on {@code reference}'s names.
   */
  static ChaosSecurity setUp(LocalKafka broker, Path dir, ResourceNames reference, String key) {
    if (broker.security() == null) {
      PipelineTopics.create(broker);
      return new ChaosSecurity(null, null, null);
    }
    SecuredPipeline secured = SecuredPipeline.setUp(broker, dir);
    Path referenceConfig = secured.addPrincipal(REFERENCE_USER, ServiceRole.TRAINER, reference);
    Path keyFile = dir.resolve("chaos-checkpoint.key");
    try {
      Files.deleteIfExists(keyFile);
      Files.createFile(
          keyFile,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(keyFile, key + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the checkpoint key file " + keyFile, e);
    }
    return new ChaosSecurity(secured, referenceConfig, keyFile);
  }

  /**
   * How the campaign's own clients reach the broker: its address, and on a secured broker the super
   * user's credentials.
   */
  static Map<String, Object> superUser(LocalKafka broker) {
    Map<String, Object> c = new LinkedHashMap<>(broker.adminClientConfig());
    // Several clients at once: let each get its own client id.
    c.remove(AdminClientConfig.CLIENT_ID_CONFIG);
    return c;
  }

  /**
   * The extra arguments of the campaign's service {@code name} ({@code producer}, {@code trainer},
   * {@code scorer}, {@code trainer-reference}): on a secured broker its own {@code --kafka-config}
   * and, for trainers and scorers, {@code --checkpoint-hmac-key-file}.
   */
  List<String> argsFor(String name) {
    if (secured == null) {
      return List.of();
    }
    Path config =
        switch (name) {
          case "producer" -> secured.kafkaConfig(ServiceRole.PRODUCER);
          case "trainer" -> secured.kafkaConfig(ServiceRole.TRAINER);
          case "scorer" -> secured.kafkaConfig(ServiceRole.SCORER);
          case "trainer-reference" -> referenceConfig;
          default -> throw new IllegalArgumentException("no principal for service " + name);
        };
    return name.equals("producer")
        ? List.of("--kafka-config", config.toString())
        : List.of(
            "--kafka-config", config.toString(), "--checkpoint-hmac-key-file", keyFile.toString());
  }
}
