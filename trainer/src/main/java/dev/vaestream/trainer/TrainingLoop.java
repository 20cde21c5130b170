package dev.vaestream.trainer;

import dev.vaestream.core.checkpoint.Checkpoint;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.checkpoint.InputOffset;
import dev.vaestream.core.cli.ExitCodes;
import dev.vaestream.core.cli.UserException;
import dev.vaestream.core.data.MnistDataset;
import dev.vaestream.core.kafka.Fencing;
import dev.vaestream.core.model.VaeModel;
import dev.vaestream.trainer.drift.DriftEvent;
import dev.vaestream.trainer.drift.LossDriftDetector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online training loop. Items arrive decoded from {@link InputPoller}; groups of 32 valid
 * images go to {@link OnlineLearner}; invalid records go to the dead-letter topic. Periodically the
 * model, its optimiser and guard state, and the input position are published as one checkpoint
 * record <em>in the same Kafka transaction</em> as the consumer offsets and the dead-letter records
 * since the last one: they commit together or not at all, so a crash loses nothing and repeats
 * nothing.
 *
 * <p>A checkpoint always sits on a group boundary: its offsets are those after the last complete
 * group, and dead-letter records for items past that boundary are held back until the boundary
 * passes them.
 *
 * <p>Runs on one thread (every ND4J call on the model stays on it); {@link TrainerService} owns it.
 */
final class TrainingLoop {
  private static final Logger log = LoggerFactory.getLogger(TrainingLoop.class);
  static final String META_SEQUENCE = "checkpoint.sequence";
  private static final int QUEUE_CAPACITY = 4096;
  private static final int TAKE_AT_ONCE = 256;

  private final TrainerSettings settings;
  private final TrainerClients clients;
  private final TrainerMetrics metrics;
  private final CheckpointCodec codec;

  private final ReconstructionsPage page;
  private final TrainerHealth health;

  private volatile OnlineLearner learner;
  private volatile InputPoller poller;
  private CheckpointPublisher publisher;

  private long sequence;
  private final Map<TopicPartition, Long> position = new HashMap<>();
  private Map<TopicPartition, Long> boundary = new HashMap<>();
  private final List<InputItem.Invalid> heldDeadLetters = new ArrayList<>();

  /**
   * Three group buffers in turn: the one being filled and the last two complete groups, which the
   * reconstructions page shows. Rotating them spares copying every group.
   */
  private final float[][] groups = new float[3][OnlineLearner.GROUP * MnistDataset.PIXELS];

  private int filling;
  private long groupsLearned;
  private int groupCount;
  // The scenario phase of the group's last image (a group may straddle a change), for metrics.
  private String groupPhase;
  private final List<InputItem.Invalid> groupDeadLetters = new ArrayList<>();
  private long lastCheckpointStep = -1;
  private Map<TopicPartition, Long> lastCheckpointBoundary = Map.of();
  private long lastCheckpointNanos = System.nanoTime();

  /** A detection not yet published: the next checkpoint (taken at once) carries its event. */
  private LossDriftDetector.Detection pendingDrift;

  /**
   * @param page where each checkpoint's recent images go, for {@code /reconstructions.png}
   * @param health told when the loop consumes and when it ends
   */
  TrainingLoop(
      TrainerSettings settings,
      TrainerClients clients,
      TrainerMetrics metrics,
      ReconstructionsPage page,
      TrainerHealth health) {
    this.settings = settings;
    this.clients = clients;
    this.metrics = metrics;
    this.page = page;
    this.health = health;
    this.codec = CheckpointCodec.withKey(settings.hmacKey());
  }

  /** Runs until {@code running} turns false or {@code --max-steps} is reached; the exit code. */
  int run(AtomicBoolean running) {
    if (!restore(running)) {
      log.info("Stopped before the checkpoints could be read");
      return Thread.currentThread().isInterrupted() ? ExitCodes.FAILURE : ExitCodes.OK;
    }
    VaeModel model = learner.model();
    if (settings.maxSteps() > 0 && model.step() >= settings.maxSteps()) {
      log.info(
          "Already at step {} (--max-steps {}): nothing to do", model.step(), settings.maxSteps());
      learner.close();
      return ExitCodes.OK;
    }
    publisher = CheckpointPublisher.start(clients.producer(), codec, settings, metrics);
    BlockingQueue<InputItem> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    ArrayDeque<InputItem> taken = new ArrayDeque<>(TAKE_AT_ONCE);
    poller =
        new InputPoller(
            clients.inputConsumer(),
            settings.inputTopic(),
            settings.learnSplit(),
            Map.copyOf(boundary),
            queue);
    Thread pollThread = new Thread(poller, "trainer-input");
    pollThread.start();
    health.state(TrainerHealth.State.CONSUMING);
    boolean bounded = false;
    try {
      while (running.get()) {
        Throwable pollFailure = poller.failure();
        if (pollFailure != null) {
          throw Fencing.isFencing(pollFailure)
              ? CheckpointPublisher.fenced(pollFailure)
              : new UserException(
                  "input consumer failed: " + pollFailure.getMessage(), ExitCodes.FAILURE);
        }
        publisher.checkPublished();
        InputItem item = next(queue, taken);
        if (item != null) {
          process(item);
        }
        if (settings.maxSteps() > 0 && model.step() >= settings.maxSteps()) {
          bounded = true;
          break;
        }
        if (pendingDrift != null || checkpointDue()) {
          checkpoint();
        }
      }
      if (changedSinceCheckpoint()) {
        checkpoint();
      }
      publisher.awaitPublished();
      if (bounded) {
        log.info("Reached --max-steps {}: final checkpoint published", settings.maxSteps());
      }
      return ExitCodes.OK;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCodes.FAILURE;
    } finally {
      health.state(TrainerHealth.State.STOPPED);
      learner.close();
      poller.stop();
      try {
        pollThread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      publisher.close();
    }
  }

  /**
   * The next item, taken from the queue in bulk: one lock hand-off and at most one wake-up of the
   * poller per bulk, where taking items one by one woke it for every item when the queue was full.
   */
  private static InputItem next(BlockingQueue<InputItem> queue, ArrayDeque<InputItem> taken)
      throws InterruptedException {
    InputItem item = taken.poll();
    if (item == null) {
      item = queue.poll(100, TimeUnit.MILLISECONDS);
      if (item != null) {
        queue.drainTo(taken, TAKE_AT_ONCE);
      }
    }
    return item;
  }

  /** Restores the newest valid checkpoint, or starts a new model; false if stopped first. */
  private boolean restore(AtomicBoolean running) {
    Optional<Optional<CheckpointLoader.Loaded>> read =
        CheckpointLoader.latestWhenReadable(
            clients::checkpointConsumer,
            settings.checkpointTopic(),
            codec,
            settings.guard(),
            settings.drift(),
            running);
    if (read.isEmpty()) {
      return false;
    }
    Optional<CheckpointLoader.Loaded> loaded = read.get();
    VaeModel model;
    if (loaded.isPresent()) {
      Checkpoint c = loaded.get().checkpoint();
      learner = loaded.get().learner();
      model = learner.model();
      sequence = loaded.get().sequence() + 1;
      for (InputOffset o : c.offsets()) {
        boundary.put(new TopicPartition(o.topic(), o.partition()), o.offset());
      }
      log.info(
          "Restored checkpoint step {} ({} images learned) from offset {}; input offsets {}",
          c.step(),
          c.imagesSeen(),
          loaded.get().offset(),
          boundary);
      lastCheckpointStep = c.step();
    } else {
      model = VaeModel.create(settings.seed());
      learner = new OnlineLearner(model, settings.guard(), settings.drift());
      log.info("No checkpoint found: starting a new model with seed {}", settings.seed());
    }
    if (settings.learningRate() != dev.vaestream.core.model.VaeArchitecture.LEARNING_RATE) {
      model.learningRate(settings.learningRate());
      log.warn("Learning rate overridden to {}", settings.learningRate());
    }
    position.putAll(boundary);
    lastCheckpointBoundary = Map.copyOf(boundary);
    metrics.step(model.step());
    return true;
  }

  private void process(InputItem item) {
    position.put(item.partition(), item.offset() + 1);
    if (item instanceof InputItem.Invalid invalid) {
      groupDeadLetters.add(invalid);
    } else if (item instanceof InputItem.Image image) {
      if (!image.learnable()) {
        metrics.notLearnable();
      } else {
        System.arraycopy(
            image.pixels(),
            0,
            groups[filling],
            groupCount * MnistDataset.PIXELS,
            MnistDataset.PIXELS);
        groupCount++;
        groupPhase = image.phase();
        if (groupCount == OnlineLearner.GROUP) {
          OnlineLearner.GroupResult r = learner.learn(groups[filling], groupCount);
          metrics.group(r, learner.model().step(), learner.threshold());
          metrics.phaseLoss(groupPhase, r.meanLoss());
          metrics.driftState(learner.driftState(), learner.driftDetector().input().shift());
          if (r.drift() != null) {
            // Published with the checkpoint that follows this group, at once (see run()).
            pendingDrift = r.drift();
          }
          filling = (filling + 1) % groups.length;
          groupsLearned++;
          groupCount = 0;
        }
      }
    }
    if (groupCount == 0) {
      // Everything consumed so far is reflected in the learner: a checkpoint may cover it.
      boundary = new HashMap<>(position);
      heldDeadLetters.addAll(groupDeadLetters);
      groupDeadLetters.clear();
    }
  }

  /**
   * The last two complete groups and their reconstructions by the model being checkpointed. Scored
   * here, once per checkpoint, rather than kept from every group's test (a copy of every group on
   * the training thread); the PNG is rendered by the HTTP thread that asks for it (tens of ms).
   */
  private ReconstructionsPage.Recent recentImages() {
    int n = OnlineLearner.GROUP * MnistDataset.PIXELS;
    int kept = (int) Math.min(2, groupsLearned);
    float[] images = new float[kept * n];
    for (int g = 0; g < kept; g++) {
      // Oldest first: the group before the last, then the last.
      int buffer = (filling + groups.length - kept + g) % groups.length;
      System.arraycopy(groups[buffer], 0, images, g * n, n);
    }
    int rows = kept * OnlineLearner.GROUP;
    float[] reconstructions = learner.model().score(images, rows).reconstructions();
    return new ReconstructionsPage.Recent(images, reconstructions);
  }

  private boolean changedSinceCheckpoint() {
    return learner.model().step() != lastCheckpointStep
        || !boundary.equals(lastCheckpointBoundary)
        || !heldDeadLetters.isEmpty();
  }

  private boolean checkpointDue() {
    long step = learner.model().step();
    if (lastCheckpointStep >= 0 && step - lastCheckpointStep >= settings.checkpointEvery()) {
      return true;
    }
    if (lastCheckpointStep < 0 && step >= settings.checkpointEvery()) {
      return true;
    }
    long elapsed = System.nanoTime() - lastCheckpointNanos;
    return elapsed >= settings.checkpointInterval().toNanos() && changedSinceCheckpoint();
  }

  /**
   * Snapshots the training state as a checkpoint on this thread, then hands it to the {@link
   * CheckpointPublisher}, which publishes it with the dead letters and offsets in one transaction
   * once the checkpoint before it is done.
   */
  private void checkpoint() throws InterruptedException {
    long t0 = System.nanoTime();
    VaeModel model = learner.model();
    List<InputOffset> offsets = new ArrayList<>();
    boundary.forEach((tp, off) -> offsets.add(new InputOffset(tp.topic(), tp.partition(), off)));
    offsets.sort(
        java.util.Comparator.comparing(InputOffset::topic).thenComparing(InputOffset::partition));
    Map<String, String> metadata = new LinkedHashMap<>(learner.metadata());
    metadata.put(META_SEQUENCE, Long.toString(sequence));
    Checkpoint c = Checkpoint.of(model, offsets, learner.calibration(), metadata, learner.arrays());
    ReconstructionsPage.Recent recent = groupsLearned > 0 ? recentImages() : null;
    DriftEvent event = null;
    if (pendingDrift != null) {
      event =
          new DriftEvent(
              pendingDrift.number(),
              c.step(),
              c.imagesSeen(),
              offsets,
              pendingDrift.lossBefore(),
              pendingDrift.lossAfter(),
              pendingDrift.signal(),
              pendingDrift.inkBefore(),
              pendingDrift.inkAfter(),
              c.createdAtMs());
      pendingDrift = null;
    }
    CheckpointPublisher.Publication publication =
        new CheckpointPublisher.Publication(
            c,
            sequence,
            List.copyOf(heldDeadLetters),
            Map.copyOf(boundary),
            poller == null ? () -> null : poller::groupMetadata,
            learner.threshold(),
            recent == null ? () -> {} : () -> page.show(recent),
            t0,
            event);
    heldDeadLetters.clear();
    sequence++;
    lastCheckpointStep = model.step();
    lastCheckpointBoundary = publication.offsets();
    lastCheckpointNanos = System.nanoTime();
    publisher.submit(publication);
  }

  /** When the input consumer last polled (epoch ms), 0 before the first poll. */
  long lastPollMs() {
    InputPoller p = poller;
    return p == null ? 0 : p.lastPollMs();
  }

  /** The model's step, 0 before it is restored. */
  long step() {
    OnlineLearner l = learner;
    return l == null ? 0 : l.model().step();
  }
}
