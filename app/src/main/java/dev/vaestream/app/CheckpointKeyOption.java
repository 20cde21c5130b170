package dev.vaestream.app;

import dev.vaestream.core.checkpoint.CheckpointCodec;
import picocli.CommandLine.Option;

/** The checkpoint signing key, as a picocli mixin: a flag, or the environment variable. */
public final class CheckpointKeyOption {
  @Option(
      names = "--checkpoint-hmac-key",
      paramLabel = "KEY",
      defaultValue = "${env:VAE_CHECKPOINT_HMAC_KEY}",
      description =
          "Shared HMAC-SHA256 key: sign written checkpoints and require valid signatures on"
              + " read (or VAE_CHECKPOINT_HMAC_KEY).")
  String key;

  CheckpointCodec codec() {
    return CheckpointCodec.withKey(key);
  }
}
