package dev.vaestream.app;

import static com.tngtech.archunit.core.domain.JavaAccess.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaAccess.Predicates.targetOwner;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.vaestream.app.archfixtures.CleanReader;
import dev.vaestream.app.archfixtures.Dl4jConfigReader;
import dev.vaestream.app.archfixtures.Dl4jModelLoader;
import dev.vaestream.app.archfixtures.ExternalizablePayload;
import dev.vaestream.app.archfixtures.JavaSerializationReader;
import dev.vaestream.app.archfixtures.JsonDefaultTyping;
import dev.vaestream.app.archfixtures.PolymorphicJsonPayload;
import dev.vaestream.app.archfixtures.SerializationUtilsReader;
import dev.vaestream.app.archfixtures.XmlDecoderReader;
import dev.vaestream.core.checkpoint.CheckpointCodec;
import dev.vaestream.core.record.ImageRecordCodec;
import dev.vaestream.producer.ProducerCommand;
import dev.vaestream.scorer.ScorerService;
import java.io.ObjectInput;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 7: no service deserialises untrusted bytes with Java serialization or polymorphic JSON.
 * Everything that arrives from Kafka or a file is parsed by our own codecs ({@link
 * ImageRecordCodec}, {@link CheckpointCodec}, Jackson trees and plain records), and these rules
 * keep it that way over every production class of every module (this module sees them all). Each
 * rule is also run against a deliberately violating fixture in the test sources, so a rule that
 * could not fail would fail here.
 */
class NoUntrustedDeserializationTest {

  /** Production classes of every module: main outputs only, never the test sources. */
  private static final JavaClasses PRODUCTION =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.vaestream");

  static final ArchRule NO_JAVA_SERIALIZATION =
      noClasses()
          .should()
          .dependOnClassesThat(assignableTo(ObjectInput.class).or(name("java.beans.XMLDecoder")))
          .because(
              "Java serialization (ObjectInputStream, Externalizable, XMLDecoder) runs code chosen"
                  + " by whoever wrote the bytes");

  static final ArchRule NO_SERIALIZATION_UTILS =
      noClasses()
          .should()
          .accessTargetWhere(
              access(
                  targetOwner(nameMatching(".*\\.SerializationUtils")),
                  "deserialize|readObject|fromByteArray"))
          .because("SerializationUtils helpers are Java serialization under another name");

  static final ArchRule NO_JACKSON_DEFAULT_TYPING =
      noClasses()
          .should()
          .accessTargetWhere(
              access(
                  targetOwner(resideInAPackage("com.fasterxml.jackson..")),
                  "(activate|enable)DefaultTyping.*|setDefaultTyping"))
          .because("default typing lets the JSON name the class to instantiate");

  // Not name(..).or(resideInAPackage(..)): with those types javac picks the static varargs
  // DescribedPredicate.or and silently drops the first operand (the fixture test caught it).
  static final ArchRule NO_POLYMORPHIC_JSON =
      noClasses()
          .should()
          .dependOnClassesThat()
          .haveFullyQualifiedName("com.fasterxml.jackson.annotation.JsonTypeInfo")
          .orShould()
          .dependOnClassesThat()
          .resideInAPackage("com.fasterxml.jackson.databind.jsontype..")
          .because("@JsonTypeInfo and type validators let the JSON name the class to instantiate");

  static final ArchRule NO_DL4J_MODEL_DESERIALIZATION =
      noClasses()
          .should()
          .accessTargetWhere(
              access(targetOwner(name("org.deeplearning4j.util.ModelSerializer")), "restore.*")
                  .or(
                      access(
                          targetOwner(
                              name("org.deeplearning4j.nn.conf.MultiLayerConfiguration")
                                  .or(name("org.deeplearning4j.nn.conf.NeuralNetConfiguration"))
                                  .or(
                                      name(
                                          "org.deeplearning4j.nn.conf"
                                              + ".ComputationGraphConfiguration"))),
                          "fromJson|fromYaml"))
                  .or(
                      access(
                          targetOwner(
                              name("org.deeplearning4j.nn.multilayer.MultiLayerNetwork")
                                  .or(name("org.deeplearning4j.nn.graph.ComputationGraph"))),
                          "load")))
          .because(
              "DL4J model files and configurations are Java-serialized or polymorphic JSON;"
                  + " checkpoints use CheckpointCodec instead");

  static final List<ArchRule> RULES =
      List.of(
          NO_JAVA_SERIALIZATION,
          NO_SERIALIZATION_UTILS,
          NO_JACKSON_DEFAULT_TYPING,
          NO_POLYMORPHIC_JSON,
          NO_DL4J_MODEL_DESERIALIZATION);

  private static DescribedPredicate<JavaAccess<?>> access(
      DescribedPredicate<JavaAccess<?>> owner, String methodNames) {
    return owner.and(target(nameMatching(methodNames)));
  }

  @Test
  void theProductionImportCoversEveryServiceAndNoTestSource() {
    // Every module, and in particular every class that reads bytes from Kafka or files.
    for (String type :
        List.of(
            ProducerCommand.class.getName(),
            "dev.vaestream.trainer.InputPoller",
            "dev.vaestream.trainer.CheckpointLoader",
            "dev.vaestream.scorer.ScoringLoop",
            "dev.vaestream.scorer.ModelFollower",
            ScorerService.class.getName(),
            CheckpointCodec.class.getName(),
            ImageRecordCodec.class.getName(),
            EvaluateCommand.class.getName(),
            "dev.vaestream.bench.BenchCommand",
            "dev.vaestream.localkafka.LocalKafka")) {
      assertThat(PRODUCTION.contain(type)).as(type).isTrue();
    }
    assertThat(PRODUCTION.containPackage(CleanReader.class.getPackageName())).isFalse();
    assertThat(PRODUCTION.contain(NoUntrustedDeserializationTest.class)).isFalse();
  }

  @Test
  void productionCodeFollowsEveryRule() {
    for (ArchRule rule : RULES) {
      rule.check(PRODUCTION);
    }
  }

  static Stream<Arguments> violations() {
    return Stream.of(
        Arguments.of(NO_JAVA_SERIALIZATION, JavaSerializationReader.class),
        Arguments.of(NO_JAVA_SERIALIZATION, ExternalizablePayload.class),
        Arguments.of(NO_JAVA_SERIALIZATION, XmlDecoderReader.class),
        Arguments.of(NO_SERIALIZATION_UTILS, SerializationUtilsReader.class),
        Arguments.of(NO_JACKSON_DEFAULT_TYPING, JsonDefaultTyping.class),
        Arguments.of(NO_POLYMORPHIC_JSON, PolymorphicJsonPayload.class),
        Arguments.of(NO_POLYMORPHIC_JSON, JsonDefaultTyping.class),
        Arguments.of(NO_DL4J_MODEL_DESERIALIZATION, Dl4jModelLoader.class),
        Arguments.of(NO_DL4J_MODEL_DESERIALIZATION, Dl4jConfigReader.class));
  }

  @ParameterizedTest
  @MethodSource("violations")
  void eachRuleCatchesItsViolation(ArchRule rule, Class<?> fixture) {
    RuleFixtures.assertCatches(rule, fixture);
  }

  @Test
  void theRulesAllowPlainParsing() {
    RuleFixtures.assertAllowPlainCode(RULES);
  }
}
