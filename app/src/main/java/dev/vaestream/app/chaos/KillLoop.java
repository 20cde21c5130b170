package dev.vaestream.app.chaos;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills one service {@code kills} times at random moments, restarting it after each. A quarter of
 * the kills land during start-up (checkpoint restore, group join), the rest at a random moment
 * after the service reports healthy, while it works. The moments are drawn from a seeded random
 * source; the work in flight when they land depends on timing, as in production.
 */
final class KillLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(KillLoop.class);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
  private static final double STARTUP_SHARE = 0.25;
  private static final long STARTUP_WINDOW_MS = 4_000;
  private static final long READY_TIMEOUT_MS = 120_000;

  private final SupervisedService service;
  private final int kills;
  private final SplittableRandom random;
  private final long maxUptimeMs;
  private final BooleanSupplier keepGoing;
  private volatile Throwable failure;

  KillLoop(
      SupervisedService service,
      int kills,
      long seed,
      Duration maxUptime,
      BooleanSupplier keepGoing) {
    this.service = service;
    this.kills = kills;
    this.random = new SplittableRandom(seed);
    this.maxUptimeMs = Math.max(500, maxUptime.toMillis());
    this.keepGoing = keepGoing;
  }

  @Override
  public void run() {
    try {
      for (int i = 0; i < kills && keepGoing.getAsBoolean(); i++) {
        long delay;
        if (random.nextDouble() < STARTUP_SHARE) {
          delay = random.nextLong(200, STARTUP_WINDOW_MS);
        } else {
          awaitHealthy();
          delay = random.nextLong(200, maxUptimeMs);
        }
        Thread.sleep(delay);
        service.killAndRestart();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failure = e;
      log.error("chaos: kill loop of {} failed: {}", service.name(), e.toString());
    }
  }

  Throwable failure() {
    return failure;
  }

  private void awaitHealthy() throws InterruptedException {
    long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline && keepGoing.getAsBoolean()) {
      if (healthy(service.httpPort())) {
        return;
      }
      Thread.sleep(200);
    }
    log.warn(
        "chaos: {} not healthy within {} ms; killing anyway", service.name(), READY_TIMEOUT_MS);
  }

  /** Whether {@code /health} on {@code port} answers 200. */
  static boolean healthy(int port) {
    try {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
              .timeout(Duration.ofSeconds(1))
              .build();
      return HTTP.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (java.io.IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
