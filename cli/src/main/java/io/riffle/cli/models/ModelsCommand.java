package io.riffle.cli.models;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code riffle models}: manage model versions on the models topic. */
@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        subcommands = {Publish.class, ListVersions.class, Keygen.class},
        description = "Publish ONNX models as new versions (signed with a key made by keygen), and list the versions on"
                + " the models topic.")
public final class ModelsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: use publish, list or keygen");
    }
}
