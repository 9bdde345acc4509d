package io.riffle.cli;

import io.riffle.jobs.LabelJoinJob;
import io.riffle.jobs.LabelJoinOptions;
import io.riffle.jobs.PipelineConfigs;
import io.riffle.jobs.PipelineScoringJob;
import io.riffle.jobs.ScoringOptions;
import io.riffle.modelops.spec.Durations;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.PipelineSpecException;
import io.riffle.trainer.metrics.TrainerMetrics;
import io.riffle.trainer.service.PipelineTrainers;
import io.riffle.trainer.service.TrainerOptions;
import io.riffle.trainer.service.TrainerService;
import io.riffle.trainer.service.TrainingReport;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What {@code riffle run} (local MiniCluster) and {@code riffle submit} (remote cluster) share to
 * launch a pipeline file: loading it with every problem reported, the jobs' options, the job
 * graph (scoring + label join in one Flink job), and the trainers, which run in the CLI's JVM.
 */
final class PipelineLaunch {
    private PipelineLaunch() {}

    /**
     * The pipeline file, or null after printing every problem in it to stderr under
     * "{@code verdict}: N problem(s) in FILE:".
     */
    static PipelineSpec load(Path config, String verdict) {
        try {
            return PipelineSpec.load(config);
        } catch (PipelineSpecException e) {
            System.err.println(e.report(verdict, config));
            return null;
        }
    }

    /** The jobs' options from the file, with the Kafka servers and parallelism the command settled on. */
    static Configuration jobOptions(PipelineSpec spec, String bootstrapServers, int parallelism) {
        Configuration conf = PipelineConfigs.configuration(spec);
        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, bootstrapServers);
        conf.set(ScoringOptions.PARALLELISM, parallelism);
        conf.set(LabelJoinOptions.PARALLELISM, parallelism);
        return conf;
    }

    /** Wires the scoring job and the label join into {@code env} (one Flink job when executed). */
    static void build(PipelineSpec spec, Configuration jobOptions, StreamExecutionEnvironment env) {
        new PipelineScoringJob(spec, jobOptions).build(env);
        new LabelJoinJob(jobOptions).build(env);
    }

    /** Starts one trainer per model of the file, printing every round; the caller closes them. */
    static List<TrainerService> startTrainers(PipelineSpec spec, String bootstrapServers) {
        return startTrainers(spec, bootstrapServers, TrainerCommand::print);
    }

    /** Starts one trainer per model of the file, each round's report to {@code reports}; the caller closes them. */
    static List<TrainerService> startTrainers(PipelineSpec spec, String bootstrapServers,
                                              Consumer<TrainingReport> reports) {
        return startTrainers(spec, bootstrapServers, reports, null);
    }

    /**
     * Starts one trainer per model of the file, each round's report to {@code reports}, their
     * metrics into {@code metrics} (null: nowhere); the caller closes them.
     */
    static List<TrainerService> startTrainers(PipelineSpec spec, String bootstrapServers,
                                              Consumer<TrainingReport> reports, TrainerMetrics metrics) {
        List<TrainerService> trainers = new ArrayList<>();
        try {
            for (TrainerOptions options : PipelineTrainers.options(spec, bootstrapServers)) {
                TrainerService trainer = new TrainerService(options, reports, metrics);
                trainers.add(trainer);
                trainer.start();
            }
            return trainers;
        } catch (RuntimeException e) {
            trainers.forEach(TrainerService::close);
            throw e;
        }
    }

    /** Closes the trainers {@link #startTrainers} started (each finishes a round in progress). */
    static void stopTrainers(List<TrainerService> trainers) {
        for (TrainerService trainer : trainers) {
            trainer.close();
        }
    }

    /**
     * Null when the jobs' transaction timeout fits the broker's {@code transaction.max.timeout.ms}
     * (or that cannot be read), else one line saying what to change: every exactly-once sink
     * would fail at start.
     */
    static String transactionTimeoutProblem(String bootstrapServers, Map<String, String> clientProperties,
                                            Configuration jobOptions) {
        Duration timeout = jobOptions.get(ScoringOptions.TRANSACTION_TIMEOUT);
        Duration max = KafkaTopics.transactionMaxTimeout(bootstrapServers, clientProperties);
        if (max == null || timeout.compareTo(max) <= 0) {
            return null;
        }
        return "the transaction timeout " + Durations.format(timeout) + " (" + ScoringOptions.TRANSACTION_TIMEOUT.key()
                + ") is above the broker's transaction.max.timeout.ms of " + Durations.format(max)
                + ": lower it, or raise the broker's maximum";
    }

    /** One line naming the file's topics, e.g. for "Pipeline 'x' running (...)". */
    static String topicsLine(PipelineSpec spec) {
        String labels = readsLabelsTopic(spec) ? "labels on " + spec.kafka().topics().labels()
                : "labels from each entity's next " + spec.labels().fromNextEvent().field();
        return String.format("%d features, spec hash %.12s…: events on %s (%s), %s; scores to %s",
                spec.features().count(), spec.features().hash(), spec.kafka().topics().events(),
                spec.events().format().name().toLowerCase(), labels, spec.kafka().topics().scores());
    }

    /** False when the file takes its labels from the next event (labels.from-next-event): no labels topic then. */
    static boolean readsLabelsTopic(PipelineSpec spec) {
        return spec.labels() == null || !spec.labels().nextEventLabels();
    }

    /** The topics the pipeline's jobs use, created when missing (the labels topic only when it is read). */
    static void ensureTopics(PipelineSpec spec, String bootstrapServers, int partitions) {
        KafkaTopics.ensureFor(bootstrapServers, spec.kafka().properties(), partitions, spec.kafka().topics(),
                readsLabelsTopic(spec));
    }
}
