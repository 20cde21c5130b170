package dev.vaestream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pod settings: one trainer that never overlaps itself, with its checkpoints on a claim; non-root
 * with a numeric UID and a read-only root file system, every written path on a volume; memory
 * limits that hold the heap plus native memory; a disruption budget for the scorers.
 */
class PodSettingsTest {
  private static final long MIB = 1024 * 1024;

  /** JVM memory outside heap, direct buffers and JavaCPP: metaspace, code cache, threads, GC. */
  private static final long JVM_OVERHEAD = 256 * MIB;

  static List<String> valueSets() {
    return Chart.valueSetNames();
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void oneTrainerRecreatedWithItsCheckpointsOnAClaim(String valueSet) {
    Rendered r = Chart.valueSet(valueSet);
    Deployment trainer = r.one(Deployment.class, "-trainer");
    assertThat(trainer.getSpec().getReplicas()).isEqualTo(1);
    assertThat(trainer.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    Workloads.Workload w = Workloads.of(r, "trainer");
    String dir = w.arg("--checkpoint-dir");
    VolumeMount mount = mountAt(w.container(), dir);
    Volume volume = volume(w, mount.getName());
    assertThat(volume.getPersistentVolumeClaim().getClaimName())
        .isEqualTo(
            r.one(io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class, "-checkpoints")
                .getMetadata()
                .getName());
    assertThat(mount.getReadOnly()).isNotEqualTo(Boolean.TRUE);
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void nonRootReadOnlyRootAndEveryWrittenPathOnAVolume(String valueSet) {
    for (Workloads.Workload w : Workloads.all(Chart.valueSet(valueSet))) {
      PodSecurityContext pod = w.pod().getSecurityContext();
      assertThat(pod.getRunAsNonRoot()).isTrue();
      assertThat(pod.getRunAsUser()).isPositive();
      SecurityContext c = w.container().getSecurityContext();
      assertThat(c.getReadOnlyRootFilesystem()).as(w.service()).isTrue();
      assertThat(c.getAllowPrivilegeEscalation()).isFalse();
      assertThat(c.getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(w.pod().getAutomountServiceAccountToken()).isFalse();
      // java.io.tmpdir (Kafka Streams state, JVM perf data) and JavaCPP's native-library cache,
      // which would otherwise go to ~/.javacpp on the read-only root.
      String javaOpts = env(w.container(), "JAVA_OPTS");
      assertThat(javaOpts)
          .contains("-Djava.io.tmpdir=/tmp", "-Dorg.bytedeco.javacpp.cachedir=/tmp/");
      assertThat(volume(w, mountAt(w.container(), "/tmp").getName()).getEmptyDir()).isNotNull();
    }
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void memoryLimitsHoldHeapNativeAndJvmOverhead(String valueSet) {
    for (Workloads.Workload w : Workloads.all(Chart.valueSet(valueSet))) {
      String javaOpts = env(w.container(), "JAVA_OPTS");
      long heap = bytes(option(javaOpts, "-Xmx"));
      long direct = bytes(option(javaOpts, "-XX:MaxDirectMemorySize="));
      Map<String, Quantity> limits = w.container().getResources().getLimits();
      Map<String, Quantity> requests = w.container().getResources().getRequests();
      long limit = Quantity.getAmountInBytes(limits.get("memory")).longValueExact();
      assertThat(limit).as(w.service()).isGreaterThanOrEqualTo(heap + direct + JVM_OVERHEAD);
      String physical = option(javaOpts, "-Dorg.bytedeco.javacpp.maxphysicalbytes=");
      if (w.service().equals("producer")) {
        assertThat(physical).as("the producer does not load ND4J").isNull();
      } else {
        // ND4J's native arrays: JavaCPP throws OutOfMemoryError before the process passes this,
        // which must leave room for native memory above the heap (measured ~191 MiB) and stay
        // below the limit by what JavaCPP does not see.
        assertThat(physical).as(w.service()).isNotNull();
        assertThat(bytes(physical)).isGreaterThanOrEqualTo(heap + 256 * MIB);
        assertThat(limit).isGreaterThanOrEqualTo(bytes(physical) + JVM_OVERHEAD);
      }
      // Requests equal limits for memory: a JVM that grows into its limit is not evicted first.
      assertThat(Quantity.getAmountInBytes(requests.get("memory")))
          .isEqualTo(new BigDecimal(limit));
      assertThat(requests).containsKey("cpu");
    }
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void scorersHaveADisruptionBudgetSelectingThem(String valueSet) {
    Rendered r = Chart.valueSet(valueSet);
    PodDisruptionBudget pdb = r.one(PodDisruptionBudget.class, "-scorer");
    StatefulSet scorers = r.one(StatefulSet.class, "-scorer");
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(scorers.getSpec().getSelector().getMatchLabels());
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isPositive();
    assertThat(scorers.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
  }

  @Test
  void moreScorersThanInputPartitionsFailRendering() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Chart.render(null, Map.of("scorer.replicas", 4, "kafka.inputPartitions", 3)))
        .hasMessageContaining("scorer.replicas (4) exceeds kafka.inputPartitions (3)");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Chart.render(Chart.scaledOutValues(), Map.of("scorer.replicas", 13)))
        .hasMessageContaining("scorer.replicas (13) exceeds kafka.inputPartitions (12)");
    // As many as the partitions is fine.
    Rendered r = Chart.render(null, Map.of("scorer.replicas", 5, "kafka.inputPartitions", 5));
    assertThat(r.one(StatefulSet.class, "-scorer").getSpec().getReplicas()).isEqualTo(5);
  }

  @Test
  void schedulingValuesReachThePods() {
    Rendered r =
        Chart.render(
            null,
            Map.of("scorer.nodeSelector.pool", "scorers", "trainer.nodeSelector.pool", "trainer"));
    assertThat(Workloads.of(r, "scorer").pod().getNodeSelector()).containsEntry("pool", "scorers");
    assertThat(Workloads.of(r, "trainer").pod().getNodeSelector()).containsEntry("pool", "trainer");
    assertThat(Workloads.of(Chart.valueSet("defaults"), "scorer").pod().getNodeSelector())
        .isNullOrEmpty();
  }

  @Test
  void aMisspeltOrMistypedValueFailsRendering() {
    // values.schema.json: unknown keys and wrong types are errors, not silent defaults.
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Chart.render(null, Map.of("scorer.replica", 2)))
        .hasMessageContaining("replica");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Chart.render(null, Map.of("kafka.inputPartitions", 0)))
        .hasMessageContaining("inputPartitions");
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name))
        .getValue();
  }

  private static VolumeMount mountAt(Container c, String path) {
    return c.getVolumeMounts().stream()
        .filter(m -> m.getMountPath().equals(path))
        .findFirst()
        .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
  }

  private static Volume volume(Workloads.Workload w, String name) {
    return w.pod().getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  /** The value of {@code -Xmx512m}-style option {@code prefix}, or null. */
  static String option(String javaOpts, String prefix) {
    Matcher m = Pattern.compile("(?:^|\\s)" + Pattern.quote(prefix) + "(\\S+)").matcher(javaOpts);
    return m.find() ? m.group(1) : null;
  }

  /** {@code 512m} as bytes. */
  static long bytes(String jvmSize) {
    char unit = Character.toLowerCase(jvmSize.charAt(jvmSize.length() - 1));
    long n = Long.parseLong(jvmSize.substring(0, jvmSize.length() - 1));
    return switch (unit) {
      case 'k' -> n * 1024;
      case 'm' -> n * MIB;
      case 'g' -> n * 1024 * MIB;
      default -> Long.parseLong(jvmSize);
    };
  }
}
