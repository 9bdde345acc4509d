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
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Starts one phase's job of a variant ({@link BenchJobs}) on the run's local MiniCluster of the
 * run's parallelism (or on a {@link StandaloneCluster} of separate JVMs, see {@link #onCluster}),
 * tells whether it ended, and cancels it.
 *
 * <p>Every job of a run goes to the same MiniCluster (riffle-alt's to one of its own when {@code
 * --alt} sets anything, as that may be the TaskManager's configuration), started on first use and
 * closed with this. A MiniCluster per job, as before, loaded Flink's RPC system (Pekko, Scala,
 * Typesafe Config; Flink copies it from its jar into a class loader of its own each time) anew for
 * every phase, and the JIT compiled all of it again during every measured phase: 0.2-0.5 of the
 * machine's two cores, still after ten warm-up rounds of the passthrough.
 */
final class PhaseJobs implements AutoCloseable {
    private final EmbeddedKafka kafka;
    private final BenchSettings settings;
    private final List<ModelVersion> initialModels;
    private final Consumer<String> say;
    private java.nio.file.Path checkpoints;
    private int restPort;
    private StandaloneCluster cluster;
    private String clusterLabel = "";
    /** The local MiniClusters started so far, by the --alt settings they were started with. */
    private final Map<Map<String, String>, LocalCluster> local = new HashMap<>();

    private record LocalCluster(MiniCluster cluster, int restPort) {}
    private final com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    private final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
            .connectTimeout(java.time.Duration.ofSeconds(5)).build();

    PhaseJobs(EmbeddedKafka kafka, BenchSettings settings, List<ModelVersion> initialModels, Consumer<String> say) {
        this.kafka = kafka;
        this.settings = settings;
        this.initialModels = initialModels;
        this.say = say;
    }

    JobClient start(Variant v, String in, String out, String phase) throws Exception {
        // the job's consumer group and transactional ids: unique per job, or a later job would resume from its offsets
        String id = "bench-" + v.key() + "-" + phase + clusterLabel;
        if (v.isRiffle()) {
            // The scoring job's other sinks (the broker does not create topics on first use).
            for (String suffix : List.of(".alerts", ".model-events", ".dead-letters")) {
                kafka.createTopic(out + suffix, settings.parallelism(), Map.of());
            }
        }
        JobSettings s = new JobSettings(kafka.bootstrapServers(), in, out, BenchRun.MODELS_TOPIC, id, id,
                settings.exactlyOnce(), settings.parallelism(), settings.checkpointInterval(), settings.batchSize(),
                settings.batchMaxDelay(), settings.objectReuse(), settings.alt());
        StreamExecutionEnvironment env = environment(v == Variant.RIFFLE_ALT ? settings.alt() : Map.of());
        BenchJobs.build(v, s, initialModels, env);
        return env.executeAsync(id);
    }

    /**
     * Runs the next phases' jobs on {@code cluster} (separate JVMs) instead of a local MiniCluster,
     * their ids (consumer groups, transactional ids) marked with {@code label}; null: local again.
     */
    void onCluster(StandaloneCluster cluster, String label) {
        this.cluster = cluster;
        this.clusterLabel = cluster == null ? "" : "-" + label;
    }

    /** How many task managers run the job's subtasks (1 on a MiniCluster). */
    int taskManagersOf(JobClient job) throws java.io.IOException, InterruptedException {
        return cluster == null ? 1 : cluster.taskManagersOf(job.getJobID().toString());
    }

    /** An environment whose jobs go to the current cluster (the local MiniCluster with these --alt settings, or the standalone one). */
    StreamExecutionEnvironment environment(Map<String, String> alt) throws Exception {
        Configuration conf = new Configuration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, settings.parallelism());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(PipelineOptions.OBJECT_REUSE, settings.objectReuse());
        // Checkpoints go to files, as in `riffle run`: the JobManager's memory storage refuses state over 5 MB.
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDirectory().toUri().toString());
        if (cluster != null) {
            // The job goes to the cluster's REST API with no jars: its classes are on the cluster's class path.
            conf.addAll(Configuration.fromMap(alt));
            restPort = cluster.restPort();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1", restPort,
                    conf);
            env.setParallelism(settings.parallelism());
            return env;
        }
        // The job goes to the local MiniCluster's REST API with no jars: its classes are this JVM's.
        conf.addAll(Configuration.fromMap(alt));
        restPort = localCluster(alt).restPort();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1", restPort, conf);
        env.setParallelism(settings.parallelism());
        return env;
    }

    /** The MiniCluster of jobs with these --alt settings: one TaskManager with a slot per subtask, REST on a known port. */
    private LocalCluster localCluster(Map<String, String> alt) throws Exception {
        LocalCluster c = local.get(alt);
        if (c != null) {
            return c;
        }
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, settings.parallelism());
        // A known port for Flink's REST API (job submission, checkpoint statistics, see checkpointStats).
        int port = freePort();
        conf.set(org.apache.flink.configuration.RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(org.apache.flink.configuration.RestOptions.BIND_PORT, String.valueOf(port));
        conf.set(org.apache.flink.configuration.RestOptions.ADDRESS, "127.0.0.1");
        conf.addAll(Configuration.fromMap(alt));
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(settings.parallelism()).build());
        cluster.start();
        c = new LocalCluster(cluster, cluster.getRestAddress().get(30, TimeUnit.SECONDS).getPort());
        local.put(Map.copyOf(alt), c);
        return c;
    }

    /** Stops the local MiniClusters (their jobs have been cancelled). */
    @Override
    public void close() {
        for (LocalCluster c : local.values()) {
            try {
                c.cluster().close();
            } catch (Exception e) {
                say.accept("could not stop the local Flink cluster: " + e);
            }
        }
        local.clear();
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

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("no free port for Flink's REST API", e);
        }
    }

    /**
     * The running job's completed checkpoints so far, from Flink's REST API ({@code
     * /jobs/<id>/checkpoints}): how many, and the full state size and end-to-end duration of the
     * newest one and over all of them (p50, max). Null figures when the API did not answer.
     */
    com.fasterxml.jackson.databind.node.ObjectNode checkpointStats(JobClient job) {
        com.fasterxml.jackson.databind.node.ObjectNode n = json.createObjectNode();
        try {
            String base = "/jobs/" + job.getJobID() + "/checkpoints";
            com.fasterxml.jackson.databind.JsonNode c = rest(base);
            n.put("completed", c.path("counts").path("completed").asLong());
            com.fasterxml.jackson.databind.JsonNode latest = c.path("latest").path("completed");
            n.put("last_state_bytes", latest.path("state_size").asLong());
            n.put("last_duration_ms", latest.path("end_to_end_duration").asLong());
            com.fasterxml.jackson.databind.JsonNode summary = c.path("summary");
            n.put("state_bytes_max", summary.path("state_size").path("max").asLong());
            n.put("duration_ms_p50", summary.path("end_to_end_duration").path("p50").asDouble());
            n.put("duration_ms_max", summary.path("end_to_end_duration").path("max").asLong());
            if (latest.has("id")) {
                n.set("last_by_task", lastByTask(job, base + "/details/" + latest.path("id").asLong()));
            }
        } catch (java.io.IOException e) {
            n.put("error", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            n.put("error", "interrupted");
        }
        return n;
    }

    /**
     * Where the newest completed checkpoint's time went, per task (chain) of the job, slowest
     * subtask each: from the trigger until the barrier reached it ({@code start_delay_ms}), barrier
     * alignment, the synchronous part (flushing batches and sinks, copying state tables) and the
     * asynchronous one (writing the state), and the task's end to end. Empty, or without a task, where
     * the API did not answer (Flink keeps only the newest checkpoints' details).
     */
    private com.fasterxml.jackson.databind.node.ObjectNode lastByTask(JobClient job, String details)
            throws InterruptedException {
        com.fasterxml.jackson.databind.node.ObjectNode byTask = json.createObjectNode();
        com.fasterxml.jackson.databind.JsonNode d;
        com.fasterxml.jackson.databind.JsonNode j;
        try {
            d = rest(details);
            j = rest("/jobs/" + job.getJobID());
        } catch (java.io.IOException e) {
            return byTask;
        }
        java.util.Map<String, String> names = new java.util.HashMap<>();
        for (com.fasterxml.jackson.databind.JsonNode v : j.path("vertices")) {
            names.put(v.path("id").asText(), shortName(v.path("name").asText("")));
        }
        java.util.Iterator<java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> tasks =
                d.path("tasks").fields();
        while (tasks.hasNext()) {
            String vertex = tasks.next().getKey();
            com.fasterxml.jackson.databind.JsonNode t;
            try {
                t = rest(details + "/subtasks/" + vertex);
            } catch (java.io.IOException e) {
                continue;
            }
            com.fasterxml.jackson.databind.JsonNode sum = t.path("summary");
            com.fasterxml.jackson.databind.node.ObjectNode o = byTask.putObject(names.getOrDefault(vertex, vertex));
            o.put("end_to_end_ms", sum.path("end_to_end_duration").path("max").asLong());
            o.put("start_delay_ms", sum.path("start_delay").path("max").asLong());
            o.put("alignment_ms", sum.path("alignment").path("duration").path("max").asLong());
            o.put("sync_ms", sum.path("checkpoint_duration").path("sync").path("max").asLong());
            o.put("async_ms", sum.path("checkpoint_duration").path("async").path("max").asLong());
        }
        return byTask;
    }

    /** A task's name up to its first operator's: "features-and-scorer", "Source: events". */
    private static String shortName(String name) {
        int arrow = name.indexOf(" -> ");
        return arrow > 0 ? name.substring(0, arrow) : name;
    }

    /** A GET of the current cluster's REST API as JSON (an IOException unless it answered 200). */
    private com.fasterxml.jackson.databind.JsonNode rest(String path) throws java.io.IOException, InterruptedException {
        return StandaloneCluster.get(http, "127.0.0.1:" + restPort, path);
    }

    /**
     * Null while the job runs; else why it ended. Asked of the REST API's {@code /jobs/<id>/status}
     * with this object's one HTTP client: the {@link JobClient} of a remote environment makes a new
     * REST client, with a thread pool and an event loop of its own, for every question, and the
     * phases ask every 100-250 ms (thousands of threads started during the measured phases, on the
     * cores the jobs are measured on). The job client still tells why a job ended, once.
     */
    String terminalFailure(JobClient job) {
        try {
            JobStatus status;
            try {
                status = JobStatus.valueOf(rest("/jobs/" + job.getJobID() + "/status").path("status").asText());
            } catch (java.io.IOException | IllegalArgumentException e) {
                status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            }
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
