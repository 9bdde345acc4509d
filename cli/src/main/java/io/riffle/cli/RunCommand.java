package io.riffle.cli;

import io.riffle.embedded.EmbeddedKafka;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.trainer.service.TrainerService;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code riffle run --config FILE}: the whole pipeline of a pipeline file, locally. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs a pipeline file: scoring, label join and one trainer per model.",
                "The jobs run on a local Flink MiniCluster (web UI on) against the file's Kafka, or an embedded",
                "broker with --embedded-kafka. Runs until Ctrl-C (or --duration)."})
public final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The pipeline file (YAML).")
    Path config;

    @Option(names = "--embedded-kafka", description = "Start an in-process Kafka broker instead of using the file's.")
    boolean embeddedKafka;

    @Option(names = "--kafka-port", defaultValue = "9092", description = "Port of the embedded broker. Default: ${DEFAULT-VALUE}.")
    int kafkaPort;

    @Option(names = "--bootstrap-servers", description = "Override the file's Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--web-ui-port", defaultValue = "8081", description = "Flink web UI port (0 = any). Default: ${DEFAULT-VALUE}.")
    int webUiPort;

    @Option(names = "--duration", description = "Stop after this long (e.g. 10m) instead of waiting for Ctrl-C.")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        PipelineSpec spec = PipelineLaunch.load(config, "Not started");
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
                KafkaTopics.ensureFor(servers, parallelism, spec.kafka().topics());

                StreamExecutionEnvironment env = LocalFlink.environment(parallelism, webUiPort);
                PipelineLaunch.build(spec, PipelineLaunch.jobOptions(spec, servers, parallelism), env);
                job = env.executeAsync(spec.name());
                trainers = PipelineLaunch.startTrainers(spec, servers);
                System.out.printf("Pipeline '%s' running (%s). Flink web UI %s. Ctrl-C stops.%n", spec.name(),
                        PipelineLaunch.topicsLine(spec),
                        webUiPort > 0 ? "http://127.0.0.1:" + webUiPort : "on a free port (see the Flink log)");
                stop.await(duration);
                return 0;
            } finally {
                for (TrainerService trainer : trainers) {
                    trainer.close();
                }
                if (job != null) {
                    try {
                        job.cancel().get(30, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        // already finished or failed; the cluster goes down with it
                    }
                }
                if (kafka != null) {
                    kafka.close();
                }
            }
        }
    }
}
