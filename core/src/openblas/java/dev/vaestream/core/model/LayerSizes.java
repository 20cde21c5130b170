package dev.vaestream.core.model;

/**
 * The layer widths of {@link VaeArchitecture} under the short names the OpenBLAS kernels use in
 * their matrix shapes ({@code IN x H1}, ...): one place, where the forward pass, the fused training
 * step and the parameter layout each declared their own copy.
 */
final class LayerSizes {
  static final int IN = VaeArchitecture.INPUT;
  static final int H1 = VaeArchitecture.ENCODER[0];
  static final int H2 = VaeArchitecture.ENCODER[1];
  static final int Z = VaeArchitecture.LATENT;
  static final int H3 = VaeArchitecture.DECODER[0];
  static final int H4 = VaeArchitecture.DECODER[1];

  private LayerSizes() {}
}
