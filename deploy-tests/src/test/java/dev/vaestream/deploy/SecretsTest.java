package dev.vaestream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Secrets reach the services only as files from Secret volumes: the Kafka client properties as
 * {@code --kafka-config}, the checkpoint key as {@code --checkpoint-hmac-key-file}. The chart
 * renders no Secret of its own, no ConfigMap carries secret material, and no environment variable
 * holds or references a Secret.
 */
class SecretsTest {
  /** What secret material looks like in properties, PEM or keys (docs/security.md). */
  private static final Pattern SECRET_LOOKING =
      Pattern.compile(
          "(?i)password|sasl\\.jaas\\.config|BEGIN [A-Z ]*PRIVATE KEY|hmac-key(?!-file)|"
              + "VAE_CHECKPOINT_HMAC_KEY");

  static List<String> valueSets() {
    return Chart.valueSetNames();
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void flagsNameFilesOnSecretVolumes(String valueSet) {
    Rendered r = Chart.valueSet(valueSet);
    for (Workloads.Workload w : Workloads.all(r)) {
      String kafkaConfig = w.arg("--kafka-config");
      if (kafkaConfig != null) {
        assertThat(secretBehind(w, kafkaConfig)).as(w.service()).endsWith("-kafka");
      }
      String key = w.arg("--checkpoint-hmac-key-file");
      if (!w.service().equals("producer")) {
        assertThat(key).as("%s signs or verifies checkpoints", w.service()).isNotNull();
        assertThat(secretBehind(w, key)).isEqualTo("vae-stream-checkpoint-key");
      } else {
        assertThat(key).isNull();
      }
      assertThat(w.args()).doesNotContain("--checkpoint-hmac-key");
    }
    if (valueSet.equals("scaled-out")) {
      assertThat(Workloads.all(r)).allSatisfy(w -> assertThat(w.arg("--kafka-config")).isNotNull());
    }
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void noSecretInConfigMapsEnvironmentOrRenderedSecrets(String valueSet) {
    Rendered r = Chart.valueSet(valueSet);
    assertThat(r.all(Secret.class)).isEmpty();
    for (ConfigMap cm : r.all(ConfigMap.class)) {
      if (cm.getData() != null) {
        cm.getData().values().forEach(v -> assertThat(v).doesNotContainPattern(SECRET_LOOKING));
      }
    }
    for (Workloads.Workload w : Workloads.all(r)) {
      Container c = w.container();
      assertThat(c.getEnvFrom()).isNullOrEmpty();
      for (EnvVar e : c.getEnv()) {
        assertThat(e.getName()).doesNotContainPattern(SECRET_LOOKING);
        if (e.getValue() != null) {
          assertThat(e.getValue()).doesNotContainPattern(SECRET_LOOKING);
        }
        if (e.getValueFrom() != null) {
          assertThat(e.getValueFrom().getSecretKeyRef()).as(e.getName()).isNull();
        }
      }
      assertThat(String.join(" ", c.getArgs())).doesNotContainPattern(SECRET_LOOKING);
    }
  }

  /** The Secret whose volume holds {@code file}, checking the mount is read-only and 0440. */
  private static String secretBehind(Workloads.Workload w, String file) {
    VolumeMount mount =
        w.container().getVolumeMounts().stream()
            .filter(m -> file.startsWith(m.getMountPath() + "/"))
            .findFirst()
            .orElseThrow(() -> new AssertionError(file + " is on no volume"));
    assertThat(mount.getReadOnly()).isTrue();
    Volume v =
        w.pod().getVolumes().stream()
            .filter(x -> x.getName().equals(mount.getName()))
            .findFirst()
            .orElseThrow();
    assertThat(v.getSecret()).as("%s comes from a Secret", file).isNotNull();
    assertThat(v.getSecret().getDefaultMode()).isEqualTo(0440);
    String fileName = file.substring(mount.getMountPath().length() + 1);
    assertThat(v.getSecret().getItems())
        .anySatisfy(i -> assertThat(i.getPath()).isEqualTo(fileName));
    return v.getSecret().getSecretName();
  }
}
