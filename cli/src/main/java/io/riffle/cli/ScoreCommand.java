package io.riffle.cli;

import io.riffle.cli.metrics.MetricsPorts;
import io.riffle.jobs.PipelineConfigs;
import io.riffle.jobs.PipelineScoringJob;
import io.riffle.jobs.ScoringOptions;
import io.riffle.modelops.spec.PipelineFiles;
import io.riffle.modelops.spec.PipelineSpec;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code riffle score}: runs only the scoring job of a pipeline file on a local Flink MiniCluster
 * against an existing Kafka (no label join, no trainers: {@code riffle run} runs those too).
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Runs the scoring job of a pipeline file on a local Flink MiniCluster against your Kafka.",
                "Runs until Ctrl-C; the Flink web UI is on. Any job option can be set with -D (over the file's),",
                "e.g. -Driffle.scoring.batch-size=512 (see the README's option table)."})
public final class ScoreCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "The pipeline file. Default: the demo's, "
            + PipelineFiles.DEMO + ".")
    Path config;

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (default: the file's).")
    String bootstrapServers;

    @Option(names = "--parallelism", description = "Flink parallelism (default: the file's).")
    Integer parallelism;

    @Option(names = "--web-ui-port", defaultValue = "8081", description = "Flink web UI port. Default: ${DEFAULT-VALUE}.")
    int webUiPort;

    @Option(names = "--metrics-port", defaultValue = "9249", paramLabel = "PORT",
            description = "Loopback port of the Flink job's Prometheus metrics (0, or taken: a free port). "
                    + "Default: ${DEFAULT-VALUE}.")
    int metricsPort;

    @Option(names = "--create-topics", description = "Create the pipeline's topics when missing.")
    boolean createTopics;

    @Mixin
    WatchOptions watch;

    @Option(names = "-D", paramLabel = "KEY=VALUE", description = "A scoring job option (see the README's option table).")
    Map<String, String> options = new HashMap<>();

    @Override
    public Integer call() throws Exception {
        Set<String> known = ScoringOptions.all().stream().map(ConfigOption::key).collect(Collectors.toSet());
        for (String key : options.keySet()) {
            if (!known.contains(key)) {
                System.err.println("Unknown option -D" + key + ". Known options: " + String.join(", ", known));
                return 2;
            }
        }
        Path file = config != null ? config : PipelineFiles.shipped(PipelineFiles.DEMO);
        PipelineSpec spec = PipelineLaunch.load(file, "Not started");
        if (spec == null) {
            return 1;
        }
        Configuration conf = PipelineConfigs.configuration(spec);
        conf.addAll(Configuration.fromMap(options));
        if (bootstrapServers != null) {
            conf.set(ScoringOptions.BOOTSTRAP_SERVERS, bootstrapServers);
        }
        if (parallelism != null) {
            conf.set(ScoringOptions.PARALLELISM, parallelism);
        }
        String servers = conf.get(ScoringOptions.BOOTSTRAP_SERVERS);
        int p = conf.get(ScoringOptions.PARALLELISM);
        if (createTopics) {
            KafkaTopics.ensureFor(servers, conf.get(ScoringOptions.KAFKA_PROPERTIES), p, spec.kafka().topics());
        }
        String timeoutProblem = PipelineLaunch.transactionTimeoutProblem(servers,
                conf.get(ScoringOptions.KAFKA_PROPERTIES), conf);
        if (timeoutProblem != null) {
            System.err.println("Not started: " + timeoutProblem);
            return 1;
        }
        int metrics = MetricsPorts.choose(metricsPort);
        StreamExecutionEnvironment env = LocalFlink.environment(p, webUiPort, metrics);
        new PipelineScoringJob(spec, conf).build(env);
        try (StopSignal stop = new StopSignal("riffle-score")) {
            JobClient job = env.executeAsync("riffle-scoring");
            try {
                System.out.println("Scoring job " + job.getJobID() + " running; web UI " + LocalFlink.restAddress(env)
                        + " — Ctrl-C stops it.");
                System.out.println(MetricsPorts.line(MetricsPorts.url(metrics), null));
                try (PipelineStatus status = new PipelineStatus(servers, spec.kafka().properties(),
                        spec.kafka().topics())) {
                    return new PipelineWatch(LocalFlink.restAddress(env), job, watch.maxRestarts, status,
                            watch.statusEvery, System.out, System.err).watch(stop, watch.duration);
                }
            } finally {
                LocalFlink.cancel(job);
            }
        }
    }
}
