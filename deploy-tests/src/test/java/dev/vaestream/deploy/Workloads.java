package dev.vaestream.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.List;

/** The rendered services' pod specs, by service name (producer, trainer, scorer). */
final class Workloads {
  private Workloads() {}

  /** One service's pod. */
  record Workload(String service, PodSpec pod) {
    Container container() {
      return pod.getContainers().get(0);
    }

    List<String> args() {
      return container().getArgs();
    }

    /** The value after {@code flag} in the arguments, or null. */
    String arg(String flag) {
      List<String> a = args();
      int i = a.indexOf(flag);
      return i < 0 || i + 1 >= a.size() ? null : a.get(i + 1);
    }
  }

  static List<Workload> all(Rendered r) {
    List<Workload> out = new ArrayList<>();
    for (Deployment d : r.all(Deployment.class)) {
      out.add(
          new Workload(service(d.getMetadata().getName()), d.getSpec().getTemplate().getSpec()));
    }
    for (StatefulSet s : r.all(StatefulSet.class)) {
      out.add(
          new Workload(service(s.getMetadata().getName()), s.getSpec().getTemplate().getSpec()));
    }
    return out;
  }

  static Workload of(Rendered r, String service) {
    return all(r).stream()
        .filter(w -> w.service().equals(service))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + service + " rendered"));
  }

  private static String service(String objectName) {
    return objectName.substring(objectName.lastIndexOf('-') + 1);
  }
}
