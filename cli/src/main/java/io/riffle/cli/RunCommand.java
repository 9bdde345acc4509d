package io.riffle.cli;

import io.riffle.modelops.spec.PipelineSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code riffle run --config FILE}: the whole pipeline of a pipeline file, locally. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs a pipeline file: scoring, label join and one trainer per model.",
                "The jobs run on a local Flink MiniCluster (web UI on) against the file's Kafka, or an embedded",
                "broker with --embedded-kafka. Runs until Ctrl-C (or --duration)."})
public final class RunCommand implements Callable<Integer> {

    @Mixin
    PipelineFileOption config;

    @Option(names = "--embedded-kafka", description = "Start an in-process Kafka broker instead of using the file's.")
    boolean embeddedKafka;

    @Option(names = "--kafka-port", defaultValue = "9092", description = "Port of the embedded broker. Default: ${DEFAULT-VALUE}.")
    int kafkaPort;

    @Option(names = "--bootstrap-servers", description = "Override the file's Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--web-ui-port", defaultValue = "8081", description = "Flink web UI port (0 = any). Default: ${DEFAULT-VALUE}.")
    int webUiPort;

    @Option(names = "--metrics-port", defaultValue = "9249", paramLabel = "PORT",
            description = "Loopback port of the Flink jobs' Prometheus metrics (0, or taken: a free port); the "
                    + "trainers' are on the next port (taken: a free one). Default: ${DEFAULT-VALUE}.")
    int metricsPort;

    @Mixin
    WatchOptions watch;

    @Mixin
    LiveDashboardOptions dashboardOptions;

    @Override
    public Integer call() throws Exception {
        PipelineSpec spec = config.load("Not started");
        if (spec == null) {
            return 1;
        }
        try (StopSignal stop = new StopSignal("riffle-run")) {
            LocalPipeline pipeline;
            try {
                pipeline = LocalPipeline.start(spec, bootstrapServers, embeddedKafka ? kafkaPort : null, webUiPort,
                        metricsPort, TrainerCommand::print, System.out);
            } catch (LocalPipeline.NotStarted e) {
                System.err.println("Not started: " + e.getMessage());
                return 1;
            }
            io.riffle.dashboard.Dashboard dashboard = LocalDashboard.start(spec, pipeline.bootstrapServers(),
                    dashboardOptions, LocalDashboard.endpoints(pipeline.metricsAddress(), pipeline.trainerMetricsAddress()),
                    pipeline.restAddress(), System.out);
            try (pipeline; dashboard) {
                System.out.printf("Pipeline '%s' running (%s). Flink web UI %s. Ctrl-C stops.%n", spec.name(),
                        PipelineLaunch.topicsLine(spec), pipeline.restAddress());
                System.out.println(pipeline.metricsLine());
                try (PipelineStatus status = new PipelineStatus(pipeline.bootstrapServers(), spec.kafka().properties(),
                        spec.kafka().topics())) {
                    return new PipelineWatch(pipeline.restAddress(), pipeline.job(), watch.maxRestarts, status,
                            watch.statusEvery, System.out, System.err).watch(stop, watch.duration);
                }
            }
        }
    }
}
