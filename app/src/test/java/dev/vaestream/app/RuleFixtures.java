package dev.vaestream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.vaestream.app.archfixtures.CleanReader;
import java.util.List;

/**
 * The two checks every ArchUnit rule set here makes of its own rules: each rule fires on a class
 * that breaks it (naming that class), and none fires on plain code. Shared so that a rule that can
 * never fail is caught the same way in every rule set.
 */
final class RuleFixtures {
  private RuleFixtures() {}

  /** {@code rule} reports a violation in {@code fixture}, naming it. */
  static void assertCatches(ArchRule rule, Class<?> fixture) {
    EvaluationResult result = rule.evaluate(new ClassFileImporter().importClasses(fixture));

    assertThat(result.hasViolation()).as(rule.getDescription()).isTrue();
    assertThat(result.getFailureReport().getDetails())
        .anyMatch(detail -> detail.contains(fixture.getName()));
  }

  /** None of {@code rules} fires on {@link CleanReader}, plain code that breaks no rule. */
  static void assertAllowPlainCode(List<ArchRule> rules) {
    JavaClasses clean = new ClassFileImporter().importClasses(CleanReader.class);
    for (ArchRule rule : rules) {
      assertThat(rule.evaluate(clean).hasViolation()).as(rule.getDescription()).isFalse();
    }
  }
}
