package io.riffle.cli;

import io.riffle.modelops.spec.ModelSpec;
import io.riffle.modelops.spec.PipelineSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code riffle validate --config FILE}: runs only the pipeline file's checks. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Checks a pipeline file without starting anything.",
                "Every problem is reported with its file, line and field; the exit code is 1 if there is any."})
public final class ValidateCommand implements Callable<Integer> {

    @Mixin
    PipelineFileOption config;

    @Override
    public Integer call() {
        PipelineSpec spec = config.load("Invalid");
        if (spec == null) {
            return 1;
        }
        System.out.printf("%s is valid: pipeline '%s', %d features (spec hash %s), models %s%n", config.path(), spec.name(),
                spec.features().count(), spec.features().hash(),
                spec.models().stream().map(ModelSpec::name).toList());
        return 0;
    }
}
