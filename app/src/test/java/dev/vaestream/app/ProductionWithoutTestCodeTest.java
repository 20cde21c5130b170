package dev.vaestream.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.vaestream.app.archfixtures.BenchInService;
import dev.vaestream.app.archfixtures.CleanReader;
import dev.vaestream.app.archfixtures.JUnitInProduction;
import dev.vaestream.app.archfixtures.TestSupportInService;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 14, finding 2: the shipped application carries no test or benchmark code. The services and
 * the app (everything {@code deploy/Dockerfile} copies into the image) do not depend on
 * test-support or bench, and no production class, bench included, references JUnit. Each rule is
 * also run against a deliberately violating fixture, so a rule that could not fail would fail here.
 */
class ProductionWithoutTestCodeTest {

  /**
   * Production classes of every module (bench included), but not test sources and not test-support,
   * which is a test-scope library.
   */
  private static final JavaClasses PRODUCTION =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .withImportOption(location -> !location.contains("test-support"))
          .importPackages("dev.vaestream");

  /** The packages that ship in the service image. */
  private static final String[] SERVICE_PACKAGES = {
    "dev.vaestream.core..",
    "dev.vaestream.localkafka..",
    "dev.vaestream.producer..",
    "dev.vaestream.trainer..",
    "dev.vaestream.scorer..",
    "dev.vaestream.app.."
  };

  static final ArchRule SERVICES_WITHOUT_TEST_SUPPORT =
      noClasses()
          .that()
          .resideInAnyPackage(SERVICE_PACKAGES)
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.vaestream.testsupport..")
          .because("test-support is a test-scope library; the image must not need it");

  static final ArchRule SERVICES_WITHOUT_BENCH =
      noClasses()
          .that()
          .resideInAnyPackage(SERVICE_PACKAGES)
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.vaestream.bench..")
          .because(
              "bench ships outside the service image; the app finds it as a CommandPlugin when"
                  + " the launcher puts it on the class path");

  static final ArchRule NO_JUNIT_IN_PRODUCTION =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.junit..", "org.opentest4j..", "org.assertj..")
          .because("test frameworks belong to test sources and test-scope libraries");

  static final List<ArchRule> RULES =
      List.of(SERVICES_WITHOUT_TEST_SUPPORT, SERVICES_WITHOUT_BENCH, NO_JUNIT_IN_PRODUCTION);

  @Test
  void theProductionImportCoversEveryModuleButNoTestCode() {
    for (String type :
        List.of(
            "dev.vaestream.core.cli.CommandPlugin",
            "dev.vaestream.localkafka.LocalKafka",
            "dev.vaestream.producer.ProducerCommand",
            "dev.vaestream.trainer.TrainerCommand",
            "dev.vaestream.scorer.ScorerService",
            "dev.vaestream.bench.BenchCommand",
            VaeStream.class.getName())) {
      assertThat(PRODUCTION.contain(type)).as(type).isTrue();
    }
    assertThat(PRODUCTION.containPackage("dev.vaestream.testsupport")).isFalse();
    assertThat(PRODUCTION.containPackage(CleanReader.class.getPackageName())).isFalse();
  }

  @Test
  void productionCodeFollowsEveryRule() {
    for (ArchRule rule : RULES) {
      rule.check(PRODUCTION);
    }
  }

  static Stream<Arguments> violations() {
    return Stream.of(
        Arguments.of(SERVICES_WITHOUT_TEST_SUPPORT, TestSupportInService.class),
        Arguments.of(SERVICES_WITHOUT_BENCH, BenchInService.class),
        Arguments.of(NO_JUNIT_IN_PRODUCTION, JUnitInProduction.class));
  }

  @ParameterizedTest
  @MethodSource("violations")
  void eachRuleCatchesItsViolation(ArchRule rule, Class<?> fixture) {
    RuleFixtures.assertCatches(rule, fixture);
  }

  @Test
  void theRulesAllowPlainCode() {
    RuleFixtures.assertAllowPlainCode(RULES);
  }

  @Test
  void benchIsFoundAsAPluginWhenOnTheClassPath() {
    // The launcher puts bench on the class path; the app links to it only through ServiceLoader.
    assertThat(VaeStream.commandLine().getSubcommands()).containsKeys("bench", "demo", "chaos");
  }
}
