package io.riffle.cli;

import io.riffle.jobs.ScoringJob;
import io.riffle.jobs.ScoringOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code riffle score}: runs the scoring job on a local Flink MiniCluster against an existing Kafka. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Runs the scoring job on a local Flink MiniCluster against your Kafka.",
                "Runs until Ctrl-C; the Flink web UI is on. Any job option can be set with -D,",
                "e.g. -Driffle.scoring.batch-size=512 (see the README's option table)."})
public final class ScoreCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka bootstrap servers. Default: ${DEFAULT-VALUE}.")
    String bootstrapServers;

    @Option(names = "--parallelism", defaultValue = "2", description = "Flink parallelism. Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @Option(names = "--web-ui-port", defaultValue = "8081", description = "Flink web UI port. Default: ${DEFAULT-VALUE}.")
    int webUiPort;

    @Option(names = "--create-topics", description = "Create Riffle's default topics when missing.")
    boolean createTopics;

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
        Configuration conf = Configuration.fromMap(options);
        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, bootstrapServers);
        conf.set(ScoringOptions.PARALLELISM, parallelism);
        if (createTopics) {
            KafkaTopics.ensureDefaults(bootstrapServers, parallelism);
        }
        StreamExecutionEnvironment env = LocalFlink.environment(parallelism, webUiPort);
        new ScoringJob(conf).build(env);
        JobClient job = env.executeAsync("riffle-scoring");
        System.out.println("Scoring job " + job.getJobID() + " running; web UI http://127.0.0.1:" + webUiPort
                + " — Ctrl-C stops it.");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                job.cancel().get();
            } catch (Exception ignored) {
                // going down anyway
            }
        }));
        job.getJobExecutionResult().get();
        return 0;
    }
}
