package dev.vaestream.app;

import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.data.MnistSplit;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where MNIST comes from, as a picocli mixin: the bundled files, or {@code --mnist-dir}. */
public final class DataOptions {
  @Option(
      names = "--mnist-dir",
      paramLabel = "DIR",
      description = "Directory with MNIST IDX files (gzip or raw); default: the bundled set.")
  Path mnistDir;

  MnistDataset load(MnistSplit split) {
    return mnistDir == null ? MnistDataset.bundled(split) : MnistDataset.load(mnistDir, split);
  }
}
