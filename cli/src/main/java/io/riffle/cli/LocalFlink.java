package io.riffle.cli;

import io.riffle.cli.metrics.LoopbackPrometheusReporter;
import io.riffle.cli.metrics.LoopbackPrometheusReporterFactory;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/** A Flink MiniCluster in this JVM, with its web UI, for the demo and local runs. */
public final class LocalFlink {
    private static final String LOOPBACK = "127.0.0.1";
    /** The options prefix of the local run's metrics reporter. */
    private static final String METRICS_REPORTER = "metrics.reporter.prom.";

    private LocalFlink() {}

    /**
     * An environment whose jobs run on a MiniCluster in this JVM. Every listener (web UI and REST,
     * RPC, blob server, data exchange) is on the loopback interface: nothing of a local run is
     * reachable from another machine.
     *
     * @param webUiPort port of the Flink web UI and REST API (0 = a free port, see {@link #restAddress})
     */
    public static StreamExecutionEnvironment environment(int parallelism, int webUiPort) {
        return environment(parallelism, webUiPort, null);
    }

    /**
     * As {@link #environment(int, int)}, and with {@code metricsPort} not null, the jobs' metrics
     * served for Prometheus on {@code http://127.0.0.1:<port>/metrics} by a
     * {@link LoopbackPrometheusReporter} (the port as given: choose it with
     * {@link io.riffle.cli.metrics.MetricsPorts#choose}; see {@link #metricsPort}).
     */
    public static StreamExecutionEnvironment environment(int parallelism, int webUiPort, Integer metricsPort) {
        Configuration conf = new Configuration();
        if (metricsPort != null) {
            conf.setString(METRICS_REPORTER + "factory.class", LoopbackPrometheusReporterFactory.class.getName());
            conf.setString(METRICS_REPORTER + LoopbackPrometheusReporterFactory.PORT, String.valueOf(metricsPort));
            // Label values as they are (model names with '-'); Flink's default replaces such characters.
            conf.setString(METRICS_REPORTER + "filterLabelValueCharacters", "false");
        }
        conf.set(RestOptions.PORT, webUiPort == 0 ? freePort() : webUiPort);
        conf.set(RestOptions.ADDRESS, LOOPBACK);
        conf.set(RestOptions.BIND_ADDRESS, LOOPBACK);
        conf.set(JobManagerOptions.ADDRESS, LOOPBACK);
        conf.set(JobManagerOptions.BIND_HOST, LOOPBACK);     // also the blob server's
        conf.set(TaskManagerOptions.HOST, LOOPBACK);
        conf.set(TaskManagerOptions.BIND_HOST, LOOPBACK);
        // Flink's default with checkpointing, made explicit: restart with a growing delay. The
        // command watching the job gives up after a few restarts and says why (PipelineWatch).
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
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

    /** The port the jobs' metrics are served on, or -1 when the environment has no metrics reporter. */
    public static int metricsPort(StreamExecutionEnvironment env) {
        String port = env.getConfiguration().toMap().get(METRICS_REPORTER + LoopbackPrometheusReporterFactory.PORT);
        return port == null ? -1 : Integer.parseInt(port);
    }

    /** The REST API (and web UI) of a MiniCluster made by {@link #environment}. */
    public static URI restAddress(StreamExecutionEnvironment env) {
        return URI.create("http://" + LOOPBACK + ":" + env.getConfiguration().get(RestOptions.PORT));
    }

    /**
     * Cancels a job of a command that is ending, waiting up to 30 s; a job that already finished or
     * failed is fine (the MiniCluster goes down with the command).
     */
    public static void cancel(JobClient job) {
        try {
            job.cancel().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // already finished or failed
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on the loopback interface", e);
        }
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
