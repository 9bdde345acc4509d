package io.riffle.cli;

import io.riffle.embedded.EmbeddedKafka;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.trainer.service.TrainerService;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
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

    @Mixin
    WatchOptions watch;

    @Override
    public Integer call() throws Exception {
        PipelineSpec spec = config.load("Not started");
        if (spec == null) {
            return 1;
        }
        EmbeddedKafka kafka = null;
        JobClient job = null;
        List<TrainerService> trainers = List.of();
        try (StopSignal stop = new StopSignal("riffle-run")) {
            try {
                String servers = bootstrapServers != null ? bootstrapServers : spec.kafka().bootstrapServers();
                if (embeddedKafka) {
                    kafka = EmbeddedKafka.start(kafkaPort);
                    servers = kafka.bootstrapServers();
                    System.out.println("Embedded Kafka (KRaft) on " + servers);
                }
                int parallelism = spec.scoring().parallelism();
                KafkaTopics.ensureFor(servers, spec.kafka().properties(), parallelism, spec.kafka().topics());

                Configuration jobOptions = PipelineLaunch.jobOptions(spec, servers, parallelism);
                String timeoutProblem = PipelineLaunch.transactionTimeoutProblem(servers, spec.kafka().properties(),
                        jobOptions);
                if (timeoutProblem != null) {
                    System.err.println("Not started: " + timeoutProblem);
                    return 1;
                }
                StreamExecutionEnvironment env = LocalFlink.environment(parallelism, webUiPort);
                PipelineLaunch.build(spec, jobOptions, env);
                job = env.executeAsync(spec.name());
                trainers = PipelineLaunch.startTrainers(spec, servers);
                System.out.printf("Pipeline '%s' running (%s). Flink web UI %s. Ctrl-C stops.%n", spec.name(),
                        PipelineLaunch.topicsLine(spec), LocalFlink.restAddress(env));
                try (PipelineStatus status = new PipelineStatus(servers, spec.kafka().properties(),
                        spec.kafka().topics())) {
                    return new PipelineWatch(LocalFlink.restAddress(env), job, watch.maxRestarts, status,
                            watch.statusEvery, System.out, System.err).watch(stop, watch.duration);
                }
            } finally {
                PipelineLaunch.stopTrainers(trainers);
                if (job != null) {
                    LocalFlink.cancel(job);
                }
                if (kafka != null) {
                    kafka.close();
                }
            }
        }
    }
}
