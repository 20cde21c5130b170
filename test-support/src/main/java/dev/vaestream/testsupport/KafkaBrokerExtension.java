package dev.vaestream.testsupport;

import dev.vaestream.localkafka.LocalKafka;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives tests one {@link LocalKafka} broker shared by the whole test JVM.
 *
 * <p>Why: a broker takes about two seconds to start, so every test class of a module shares one. It
 * is started lazily, the first time a test asks for it, and kept in the root {@link
 * ExtensionContext.Store}, which closes it (an {@link AutoCloseable}) when the test run ends.
 *
 * <p>Usage: annotate the class with {@code @ExtendWith(KafkaBrokerExtension.class)} and declare an
 * {@link LocalKafka} parameter on a test method, a test constructor, or a lifecycle method such as
 * {@code @BeforeAll} or {@code @BeforeEach}. Because the broker is shared, and tests may run in
 * parallel, each test must use its own topic names and consumer group ids (e.g. with a random
 * suffix), and must not call {@link LocalKafka#restartBroker()} on it; a test that restarts the
 * broker starts a private one with {@link LocalKafka#start()}.
 */
public final class KafkaBrokerExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KafkaBrokerExtension.class);
  private static final String KEY = "shared-embedded-kafka";

  @Override
  public boolean supportsParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == LocalKafka.class;
  }

  @Override
  public Object resolveParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    return sharedBroker(extensionContext);
  }

  /**
   * The broker shared by this test run, started on first use.
   *
   * @param context any extension context of the run; its root store holds the broker
   */
  public static LocalKafka sharedBroker(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(KEY, key -> LocalKafka.start(), LocalKafka.class);
  }
}
