package io.riffle.cli;

import io.riffle.cli.demo.DemoCommand;
import io.riffle.cli.models.ModelsCommand;
import io.riffle.cli.streams.GenerateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code riffle} command. */
@Command(name = "riffle", mixinStandardHelpOptions = true, version = "riffle 0.1.0-SNAPSHOT",
        description = "Streaming inference and online learning: Kafka -> Flink -> ONNX Runtime.",
        subcommands = {DemoCommand.class, RunCommand.class, SubmitCommand.class, ScoreCommand.class,
                TrainerCommand.class, ModelsCommand.class, ValidateCommand.class, GenerateCommand.class,
                ReplayCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Riffle implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with Riffle's handlers: a wrong option or value is one line naming it and a
     * hint (not the whole usage), and an error no command expected is one line and a hint (the
     * stack trace only with {@code RIFFLE_DEBUG=1}).
     */
    public static CommandLine commandLine() {
        return new CommandLine(new Riffle())
                .registerConverter(java.time.Duration.class, Durations::parse)
                .setParameterExceptionHandler(Riffle::badArguments)
                .setExecutionExceptionHandler(Riffle::failed);
    }

    private static int badArguments(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        java.io.PrintWriter err = cmd.getErr();
        // A converter's own message is the useful part: "cannot convert 'x' to Duration (java.lang.Illegal...: why)".
        err.println("Error: " + String.valueOf(e.getMessage())
                .replaceAll("\\s*\\((?:[A-Za-z_$][\\w$]*\\.)+[\\w$]*(?:Exception|Error): (.*)\\)$", ": $1"));
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Hint: " + cmd.getCommandSpec().qualifiedName() + " --help lists the options and their values.");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static int failed(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        java.io.PrintWriter err = cmd.getErr();
        String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        err.println("Failed: " + message.lines().findFirst().orElse(message));
        if (System.getenv("RIFFLE_DEBUG") != null) {
            e.printStackTrace(err);
        } else {
            err.println("Hint: RIFFLE_DEBUG=1 " + cmd.getCommandSpec().qualifiedName()
                    + " ... prints the stack trace for a bug report.");
        }
        err.flush();
        return cmd.getCommandSpec().exitCodeOnExecutionException();
    }
}
