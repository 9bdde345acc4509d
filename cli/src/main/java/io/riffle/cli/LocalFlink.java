package io.riffle.cli;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** A Flink MiniCluster in this JVM, with its web UI, for the demo and local runs. */
public final class LocalFlink {
    private LocalFlink() {}

    /**
     * An environment whose jobs run on a MiniCluster in this JVM.
     *
     * @param webUiPort port of the Flink web UI (0 = any free port)
     */
    public static StreamExecutionEnvironment environment(int parallelism, int webUiPort) {
        Configuration conf = new Configuration();
        conf.set(RestOptions.PORT, webUiPort);
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        // Checkpoints go to files: the JobManager's in-memory storage refuses state over 5 MB, and a
        // pipeline's per-entity windows pass that with a few thousand entities.
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDirectory());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        env.setParallelism(parallelism);
        return env;
    }

    /** A fresh temporary folder; Flink deletes each checkpoint when it is superseded or the job ends. */
    private static String checkpointDirectory() {
        try {
            var dir = Files.createTempDirectory("riffle-checkpoints-");
            dir.toFile().deleteOnExit();
            return dir.toUri().toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder for checkpoints in " + System.getProperty("java.io.tmpdir"), e);
        }
    }
}
