package dev.vaestream.localkafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Ports on the loopback interface for the local broker, and for services and clients started by
 * tests, campaigns and benchmarks.
 */
public final class LoopbackPorts {
  private LoopbackPorts() {}

  /**
   * A loopback port nothing listens on (it was free a moment ago): a service can bind it, and a
   * client connecting to it is refused.
   */
  public static int free() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
