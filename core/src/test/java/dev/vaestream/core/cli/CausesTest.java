package dev.vaestream.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CausesTest {
  private final IllegalStateException root = new IllegalStateException("root");
  private final RuntimeException chain =
      new RuntimeException("outer", new IllegalArgumentException("middle", root));

  @Test
  void anyLooksAtEveryLinkOfTheChain() {
    assertThat(Causes.any(chain, t -> t instanceof IllegalStateException)).isTrue();
    assertThat(Causes.any(chain, t -> t instanceof IllegalArgumentException)).isTrue();
    assertThat(Causes.any(chain, t -> t instanceof UnsupportedOperationException)).isFalse();
    assertThat(Causes.any(null, t -> true)).isFalse();
  }

  @Test
  void rootIsTheInnermostCauseOrTheExceptionItself() {
    assertThat(Causes.root(chain)).isSameAs(root);
    assertThat(Causes.root(root)).isSameAs(root);
  }
}
