package dev.vaestream.app.process;

import dev.vaestream.testsupport.EmbeddedKafka;
import org.apache.kafka.common.utils.Exit;

/** Starts the in-process KRaft broker of the commands that need one (demo, chaos). */
public final class InProcessBroker {
  private InProcessBroker() {}

  /** A broker in this JVM, safe to stop with Ctrl-C or SIGTERM. */
  public static EmbeddedKafka start() {
    // Kafka's test kit deletes its directories from a JVM shutdown hook; on SIGTERM that races the
    // graceful stop, the broker loses its log dir and halts the JVM with the services still
    // running. EmbeddedKafka.close() deletes the directory itself.
    Exit.setShutdownHookAdder(
        (name, hook) -> {
          if (!"delete-temp-file-shutdown-hook".equals(name)) {
            Runtime.getRuntime().addShutdownHook(new Thread(hook, name));
          }
        });
    return EmbeddedKafka.start();
  }
}
