package io.riffle.bench;

import io.riffle.embedded.EmbeddedKafka;
import io.riffle.schemas.ModelVersion;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Starts one phase's job of a variant ({@link BenchJobs}) on a fresh local MiniCluster of the
 * run's parallelism, tells whether it ended, and cancels it.
 */
final class PhaseJobs {
    private final EmbeddedKafka kafka;
    private final BenchSettings settings;
    private final List<ModelVersion> initialModels;
    private final Consumer<String> say;
    private java.nio.file.Path checkpoints;

    PhaseJobs(EmbeddedKafka kafka, BenchSettings settings, List<ModelVersion> initialModels, Consumer<String> say) {
        this.kafka = kafka;
        this.settings = settings;
        this.initialModels = initialModels;
        this.say = say;
    }

    JobClient start(Variant v, String in, String out, String phase) throws Exception {
        String id = "bench-" + v.key() + "-" + phase;
        if (v == Variant.RIFFLE) {
            // The scoring job's other sinks (the broker does not create topics on first use).
            for (String suffix : List.of(".alerts", ".model-events", ".dead-letters")) {
                kafka.createTopic(out + suffix, settings.parallelism(), Map.of());
            }
        }
        JobSettings s = new JobSettings(kafka.bootstrapServers(), in, out, BenchRun.MODELS_TOPIC, id, id,
                settings.exactlyOnce(), settings.parallelism(), settings.checkpointInterval(), settings.batchSize(),
                settings.batchMaxDelay(), settings.objectReuse());
        StreamExecutionEnvironment env = environment();
        BenchJobs.build(v, s, initialModels, env);
        return env.executeAsync(id);
    }

    private StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, settings.parallelism());
        conf.set(CoreOptions.DEFAULT_PARALLELISM, settings.parallelism());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(PipelineOptions.OBJECT_REUSE, settings.objectReuse());
        // Checkpoints go to files, as in `riffle run`: the JobManager's memory storage refuses state over 5 MB.
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDirectory().toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        env.setParallelism(settings.parallelism());
        return env;
    }

    /** One temporary folder per run; Flink deletes each checkpoint once it is superseded or the job ends. */
    private java.nio.file.Path checkpointDirectory() {
        if (checkpoints == null) {
            try {
                checkpoints = java.nio.file.Files.createTempDirectory("riffle-bench-checkpoints-");
                checkpoints.toFile().deleteOnExit();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot create a folder for checkpoints", e);
            }
        }
        return checkpoints;
    }

    /** Null while the job runs; else why it ended. */
    static String terminalFailure(JobClient job) {
        try {
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (!status.isGloballyTerminalState()) {
                return null;
            }
            try {
                job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
                return "job ended early (" + status + ")";
            } catch (Exception e) {
                Throwable c = e;
                while (c.getCause() != null) {
                    c = c.getCause();
                }
                return "job " + status + ": " + c;
            }
        } catch (Exception e) {
            return "job status unavailable: " + e;
        }
    }

    void stop(JobClient job) {
        try {
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (!status.isGloballyTerminalState()) {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
            try {
                job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
            } catch (Exception expected) {
                // Cancelled.
            }
        } catch (Exception e) {
            say.accept("could not cancel job " + job.getJobID() + ": " + e);
        }
    }
}
