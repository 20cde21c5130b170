/**
 * Deliberate violations of {@code NoUntrustedDeserializationTest}'s and {@code
 * ProductionWithoutTestCodeTest}'s rules, one per class, so that the test can show every rule
 * fires. Test sources only: never part of a build's product.
 */
package dev.vaestream.app.archfixtures;
