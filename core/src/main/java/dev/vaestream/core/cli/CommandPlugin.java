package dev.vaestream.core.cli;

/**
 * A {@code bin/vae-stream} command that does not ship in the service image: a picocli
 * {@code @Command} class found on the class path with {@link java.util.ServiceLoader} (listed in
 * {@code META-INF/services/dev.vaestream.core.cli.CommandPlugin}).
 *
 * <p>Why: the benchmarks ({@code bench}, with JMH) are a tool for developers, not part of what the
 * services run. The launcher puts them on the class path; the Docker image does not, and there the
 * command is simply absent. The implementing class must be public with a public no-argument
 * constructor, as {@link java.util.ServiceLoader} requires.
 */
public interface CommandPlugin {}
