package io.riffle.cli;

import io.riffle.cli.demo.DemoCommand;
import io.riffle.cli.models.ModelsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code riffle} command. */
@Command(name = "riffle", mixinStandardHelpOptions = true, version = "riffle 0.1.0-SNAPSHOT",
        description = "Streaming inference and online learning: Kafka -> Flink -> ONNX Runtime.",
        subcommands = {DemoCommand.class, RunCommand.class, SubmitCommand.class, ScoreCommand.class,
                TrainerCommand.class, ModelsCommand.class, ValidateCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Riffle implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Riffle())
                .registerConverter(java.time.Duration.class, Durations::parse);
        int code = cli.execute(args);
        System.exit(code);
    }
}
