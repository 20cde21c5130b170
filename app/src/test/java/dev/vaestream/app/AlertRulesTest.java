package dev.vaestream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The alerting rules ({@code deploy/prometheus/alerts.yml}): the mixin conventions every rule
 * follows, a runbook section for every runbook link, and Prometheus' own tools on the file: {@code
 * promtool check rules} and {@code promtool test rules alerts.test.yml}, whose cases fire and stay
 * quiet for every alert. The promtool parts skip without promtool ({@code apt-get install
 * prometheus}; {@code .ci/run} does that).
 */
class AlertRulesTest {
  private static final Path ROOT = ExternalTools.repoRoot();
  private static final Path RULES_DIR = ROOT.resolve("deploy/prometheus");
  private static final Path WORK = ROOT.resolve("app/target/alert-rules");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern RUNBOOK =
      Pattern.compile("^https://\\S+/docs/operations\\.md#([a-z0-9-]+)$");
  private static final Pattern HEADING = Pattern.compile("(?m)^#{2,4} (.+)$");

  static List<JsonNode> rules(JsonNode file) {
    List<JsonNode> out = new ArrayList<>();
    file.path("groups").forEach(g -> g.path("rules").forEach(out::add));
    return out;
  }

  @Test
  void everyRuleFollowsTheMixinConventions() throws Exception {
    JsonNode file = YAML.readTree(RULES_DIR.resolve("alerts.yml").toFile());
    // A plain rule file with one groups list: the Helm chart wraps it in a PrometheusRule.
    assertThat(iterableNames(file)).containsExactly("groups");
    Set<String> anchors = anchors(Files.readString(ROOT.resolve("docs/operations.md")));
    List<JsonNode> rules = rules(file);
    assertThat(rules).hasSizeGreaterThanOrEqualTo(14);
    for (JsonNode rule : rules) {
      String name = rule.path("alert").asText();
      assertThat(name).as("only alerting rules").matches("VaeStream[A-Za-z]+");
      assertThat(rule.path("for").asText()).as("%s: for", name).matches("\\d+[smh]");
      assertThat(rule.path("labels").path("severity").asText())
          .as("%s: severity", name)
          .isIn("critical", "warning");
      JsonNode a = rule.path("annotations");
      assertThat(a.path("summary").asText()).as("%s: summary", name).isNotBlank();
      assertThat(a.path("description").asText()).as("%s: description", name).isNotBlank();
      Matcher m = RUNBOOK.matcher(a.path("runbook_url").asText());
      assertThat(m.matches()).as("%s: runbook_url %s", name, a.path("runbook_url")).isTrue();
      assertThat(anchors)
          .as("%s: runbook section in docs/operations.md", name)
          .contains(m.group(1));
    }
    // A bad signature pages.
    assertThat(rules)
        .filteredOn(r -> r.path("alert").asText().equals("VaeStreamCheckpointRejectedBadSignature"))
        .singleElement()
        .satisfies(r -> assertThat(r.at("/labels/severity").asText()).isEqualTo("critical"));
  }

  @Test
  void everyAlertHasAFiringAndAQuietUnitTest() throws Exception {
    JsonNode tests = YAML.readTree(RULES_DIR.resolve("alerts.test.yml").toFile());
    Map<String, int[]> cases = new HashMap<>();
    for (JsonNode group : tests.path("tests")) {
      for (JsonNode t : group.path("alert_rule_test")) {
        int[] firingQuiet = cases.computeIfAbsent(t.path("alertname").asText(), k -> new int[2]);
        firingQuiet[t.path("exp_alerts").isEmpty() ? 1 : 0]++;
      }
    }
    JsonNode file = YAML.readTree(RULES_DIR.resolve("alerts.yml").toFile());
    for (JsonNode rule : rules(file)) {
      String name = rule.path("alert").asText();
      assertThat(cases).as("unit tests of %s", name).containsKey(name);
      assertThat(cases.get(name)[0]).as("%s: firing cases", name).isPositive();
      assertThat(cases.get(name)[1]).as("%s: quiet cases", name).isPositive();
    }
  }

  @Test
  void promtoolChecksAndTestsTheRules() throws Exception {
    Optional<Path> promtool = ExternalTools.onPath("promtool");
    assumeTrue(promtool.isPresent(), "promtool not on PATH (apt-get install prometheus)");
    ExternalTools.Result check =
        ExternalTools.run(
            RULES_DIR, 60, List.of(promtool.get().toString(), "check", "rules", "alerts.yml"));
    assertThat(check.exitCode()).as("promtool check rules:%n%s", check.output()).isZero();

    // promtool compares annotations word for word; the cases test when alerts fire, so they run
    // on a copy without annotations (whose templates `check rules` has just parsed).
    ExternalTools.deleteTree(WORK);
    Files.createDirectories(WORK);
    JsonNode rules = YAML.readTree(RULES_DIR.resolve("alerts.yml").toFile());
    rules(rules).forEach(r -> ((ObjectNode) r).remove("annotations"));
    YAML.writeValue(WORK.resolve("alerts.yml").toFile(), rules);
    Files.copy(RULES_DIR.resolve("alerts.test.yml"), WORK.resolve("alerts.test.yml"));
    ExternalTools.Result test =
        ExternalTools.run(
            WORK, 120, List.of(promtool.get().toString(), "test", "rules", "alerts.test.yml"));
    assertThat(test.exitCode()).as("promtool test rules:%n%s", test.output()).isZero();
    assertThat(test.output()).contains("SUCCESS");
  }

  private static List<String> iterableNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** GitHub's anchors for the headings of a Markdown page. */
  static Set<String> anchors(String markdown) {
    Matcher m = HEADING.matcher(markdown);
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(
          m.group(1)
              .strip()
              .toLowerCase(Locale.ROOT)
              .replaceAll("[^a-z0-9 _-]", "")
              .replace(' ', '-'));
    }
    return out.stream().collect(Collectors.toSet());
  }
}
