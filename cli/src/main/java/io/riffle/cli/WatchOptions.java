package io.riffle.cli;

import picocli.CommandLine.Option;

import java.time.Duration;

/** How a command that runs a pipeline in the foreground watches it ({@link PipelineWatch}): shared by run and score. */
final class WatchOptions {

    @Option(names = "--duration", description = "Stop after this long (e.g. 10m) instead of waiting for Ctrl-C.")
    Duration duration;

    @Option(names = "--max-restarts", defaultValue = "3", paramLabel = "N",
            description = "Exit (status 1, naming the cause) once the job has restarted N times. Default: ${DEFAULT-VALUE}.")
    int maxRestarts;

    @Option(names = "--status-every", defaultValue = "5s", paramLabel = "DURATION",
            description = "How often to print the status line. Default: ${DEFAULT-VALUE}.")
    Duration statusEvery;
}
