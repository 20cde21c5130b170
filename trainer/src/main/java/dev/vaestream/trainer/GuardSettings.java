package dev.vaestream.trainer;

/**
 * The poisoning guard: images scoring above the {@code quantile} of recent learned images' scores
 * are left out of training, once {@code warmup} scores are in the window of {@code windowSize}.
 */
public record GuardSettings(boolean enabled, double quantile, int warmup, int windowSize) {}
