package dev.vaestream.app;

import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.security.SecretFile;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The checkpoint signing key, as a picocli mixin: a flag, a file (a Compose or Kubernetes secret),
 * or the environment variables.
 */
public final class CheckpointKeyOption {
  @Option(
      names = "--checkpoint-hmac-key",
      paramLabel = "KEY",
      defaultValue = "${env:VAE_CHECKPOINT_HMAC_KEY}",
      description =
          "Shared HMAC-SHA256 key: sign written checkpoints and require valid signatures on"
              + " read (or VAE_CHECKPOINT_HMAC_KEY).")
  String key;

  @Option(
      names = "--checkpoint-hmac-key-file",
      paramLabel = "FILE",
      defaultValue = "${env:VAE_CHECKPOINT_HMAC_KEY_FILE}",
      description =
          "File holding the HMAC key (or VAE_CHECKPOINT_HMAC_KEY_FILE); wins over"
              + " --checkpoint-hmac-key.")
  Path keyFile;

  private CheckpointCodec codec;

  /** The codec for the key; the file is read once. */
  CheckpointCodec codec() {
    if (codec == null) {
      codec =
          CheckpointCodec.withKey(SecretFile.keyOrFile(key, keyFile, "--checkpoint-hmac-key-file"));
    }
    return codec;
  }
}
