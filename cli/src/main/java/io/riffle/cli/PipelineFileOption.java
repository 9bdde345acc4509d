package io.riffle.cli;

import io.riffle.modelops.spec.PipelineSpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code --config FILE}, required: the pipeline file a command runs, submits or checks. A picocli
 * mixin shared by {@code run}, {@code submit} and {@code validate}; {@code score}, {@code trainer}
 * and {@code demo} have their own {@code --config}, which is optional and has a default.
 */
public final class PipelineFileOption {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The pipeline file (YAML).")
    Path config;

    public Path path() {
        return config;
    }

    /** The file, or null after printing every problem in it under "{@code verdict}: ..." (stderr). */
    PipelineSpec load(String verdict) {
        return PipelineLaunch.load(config, verdict);
    }
}
