package dev.vaestream.app;

import dev.vaestream.app.chaos.ChaosCommand;
import dev.vaestream.app.demo.DemoCommand;
import dev.vaestream.core.cli.CommandPlugin;
import dev.vaestream.core.cli.ErrorReporting;
import dev.vaestream.producer.ProducerCommand;
import dev.vaestream.scorer.ScorerCommand;
import dev.vaestream.trainer.TrainerCommand;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/vae-stream <command>}: the single entry point, like Kafka's {@code bin/} scripts. Each
 * command is a picocli subcommand with its own {@code --help}. Commands that do not ship in the
 * service image ({@code bench}) are {@link CommandPlugin}s, found on the class path when the
 * launcher puts them there.
 */
@Command(
    name = "vae-stream",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Streaming online VAE on Kafka: learn MNIST from a stream, score anomalies.",
    subcommands = {
      TrainCommand.class,
      EvaluateCommand.class,
      ProducerCommand.class,
      TrainerCommand.class,
      ScorerCommand.class,
      TopicsCommand.class,
      DemoCommand.class,
      ChaosCommand.class,
      AclsCommand.class
    })
public final class VaeStream implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Parses, runs the command, and exits with its code. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with every built-in command and every {@link CommandPlugin} found. */
  public static CommandLine commandLine() {
    CommandLine cli = ErrorReporting.commandLine(new VaeStream());
    for (CommandPlugin plugin : ServiceLoader.load(CommandPlugin.class)) {
      cli.addSubcommand(plugin);
    }
    return cli;
  }
}
