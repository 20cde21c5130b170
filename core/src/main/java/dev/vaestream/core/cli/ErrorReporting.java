package dev.vaestream.core.cli;

import dev.vaestream.core.checkpoint.CheckpointFormatException;
import dev.vaestream.core.config.ConfigException;
import dev.vaestream.core.data.IdxFormatException;
import java.io.PrintWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns exceptions into one clear line on stderr and an exit code. Known user errors print their
 * message only; anything else prints its message and logs the stack trace at debug level.
 */
public final class ErrorReporting implements IExecutionExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(ErrorReporting.class);

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    String command = cmd.getCommandName();
    if (ex instanceof UserException u) {
      err.println(command + ": error: " + u.getMessage());
      err.flush();
      log.debug("User error", ex);
      return u.exitCode();
    }
    if (ex instanceof ConfigException
        || ex instanceof IdxFormatException
        || ex instanceof CheckpointFormatException
        || ex instanceof CommandLine.ParameterException) {
      err.println(command + ": error: " + ex.getMessage());
      err.flush();
      log.debug("User error", ex);
      return ExitCodes.USAGE;
    }
    Throwable root = Causes.root(ex);
    err.println(
        command
            + ": error: "
            + ex.getMessage()
            + (root != ex ? " (cause: " + root + ")" : "")
            + " - run with VAE_LOG_LEVEL=debug for details");
    err.flush();
    log.debug("Command failed", ex);
    return ExitCodes.FAILURE;
  }

  /** A picocli command line with this handler and the usual settings. */
  public static CommandLine commandLine(Object command) {
    CommandLine cmd = new CommandLine(command);
    cmd.setExecutionExceptionHandler(new ErrorReporting());
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    cmd.setUsageHelpAutoWidth(true);
    return cmd;
  }
}
