package dev.vaestream.app;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest, or "dev" when run from classes. */
public final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = VaeStream.class.getPackage().getImplementationVersion();
    return new String[] {"vae-stream " + (v == null ? "dev" : v)};
  }
}
