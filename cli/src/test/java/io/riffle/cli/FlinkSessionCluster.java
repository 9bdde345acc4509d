package io.riffle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.riffle.bench.StandaloneCluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipFile;

/**
 * A real Flink session cluster in JVMs of their own — the bench's {@link StandaloneCluster}: a
 * {@code StandaloneSessionClusterEntrypoint} and {@code TaskManagerRunner}s started as Flink's
 * scripts start them — whose class path is Flink's distribution and the libraries it bundles,
 * taken from this test's class path. No Riffle class, Kafka connector or client, Avro or ONNX
 * Runtime is on it: a job submitted here runs only if its jars were shipped with it.
 */
final class FlinkSessionCluster implements AutoCloseable {
    /** Third-party libraries that Flink's distribution bundles or puts in lib/ (besides Flink's own jars). */
    private static final Set<String> BUNDLED_LIBRARIES = Set.of("commons-cli", "commons-collections",
            "commons-compress", "commons-io", "commons-lang3", "commons-math3", "commons-text", "kryo", "minlog",
            "objenesis", "reflectasm", "snakeyaml-engine", "jsr305", "javassist", "lz4-java", "snappy-java",
            "slf4j-api", "log4j-api", "log4j-core", "log4j-slf4j-impl");
    /** What must not be on the cluster's class path for the test to prove that the job ships it. */
    private static final List<String> SHIPPED_PACKAGES = List.of("io/riffle/", "org/apache/kafka/",
            "org/apache/flink/connector/kafka/", "org/apache/flink/formats/avro/", "org/apache/avro/",
            "ai/onnxruntime/", "com/fasterxml/jackson/", "com/google/protobuf/");

    private final StandaloneCluster cluster;

    private FlinkSessionCluster(StandaloneCluster cluster) {
        this.cluster = cluster;
    }

    /** Starts the job manager and a task manager with {@code slots} slots; returns once the slots are registered. */
    static FlinkSessionCluster start(Path dir, int slots, Duration limit) throws Exception {
        return start(dir, slots, 1, List.of("restart-strategy.type: none"), limit);
    }

    /**
     * Starts the job manager and {@code taskManagers} task managers of {@code slots} slots each,
     * with {@code extraConfig} lines added to the cluster's {@code config.yaml}; returns once every
     * slot is registered.
     */
    static FlinkSessionCluster start(Path dir, int slots, int taskManagers, List<String> extraConfig, Duration limit)
            throws Exception {
        List<String> config = new ArrayList<>(List.of(
                "jobmanager.memory.process.size: 768m",
                "taskmanager.memory.process.size: 1280m",
                "taskmanager.memory.managed.size: 32m",
                "parallelism.default: 1"));
        config.addAll(extraConfig);
        try {
            // Short-lived test JVMs on two shared cores: C1 alone starts them in about half the CPU time.
            return new FlinkSessionCluster(StandaloneCluster.start(dir, flinkClassPath(JobJars.classPath()),
                    taskManagers, slots, config, List.of("-XX:TieredStopAtLevel=1"), limit));
        } catch (IllegalStateException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /**
     * Starts a cluster by hand, to try {@code riffle submit} against it: run with this module's test
     * class path and Flink's --add-opens; prints the address for {@code --jobmanager}; Ctrl-C stops it.
     */
    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("riffle-flink-cluster-");
        FlinkSessionCluster cluster = start(dir, args.length > 0 ? Integer.parseInt(args[0]) : 2, Duration.ofSeconds(90));
        System.out.println("Flink session cluster up: --jobmanager " + cluster.restAddress() + " (logs in " + dir
                + "/log); Ctrl-C stops it.");
        Thread.currentThread().join();
    }

    /** Flink's distribution jars and the libraries it bundles, from {@code testClassPath}. */
    static List<Path> flinkClassPath(List<Path> testClassPath) {
        List<Path> flink = new ArrayList<>();
        for (Path entry : testClassPath) {
            String artifact = JobJars.artifactName(entry);
            String file = entry.getFileName().toString();
            boolean distribution = artifact.startsWith("flink-") && !JobJars.isUnbundledFlinkArtifact(artifact)
                    && !artifact.startsWith("flink-test-utils") && !file.endsWith("-tests.jar");
            if (file.endsWith(".jar") && (distribution || BUNDLED_LIBRARIES.contains(artifact))) {
                flink.add(entry);
            }
        }
        return flink;
    }

    /** Entries of the cluster's class path that hold a class the job must ship (empty when the premise holds). */
    List<String> shippedClassesOnClusterClassPath() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path jar : classPath()) {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                zip.stream().map(e -> e.getName())
                        .filter(name -> name.endsWith(".class") && SHIPPED_PACKAGES.stream().anyMatch(name::startsWith))
                        .findFirst().ifPresent(name -> found.add(jar.getFileName() + ": " + name));
            }
        }
        return found;
    }

    List<Path> classPath() {
        return cluster.classPath();
    }

    /** {@code 127.0.0.1:PORT} of the REST endpoint, as {@code --jobmanager} takes it. */
    String restAddress() {
        return cluster.restAddress();
    }

    /** GET on the REST API, as JSON. */
    JsonNode get(String path) throws IOException, InterruptedException {
        return cluster.get(path);
    }

    /** Kills task manager {@code index} with SIGKILL (no shutdown hook, no goodbye to the job manager). */
    void killTaskManager(int index) throws InterruptedException {
        cluster.killTaskManager(index);
    }

    /** Starts task manager {@code index} again (a new process, as a supervisor would). */
    void restartTaskManager(int index) throws IOException {
        cluster.restartTaskManager(index);
    }

    /** Whether the job is RUNNING with every one of its tasks RUNNING. */
    boolean allTasksRunning(String jobId) throws IOException, InterruptedException {
        JsonNode job = get("/jobs/" + jobId);
        if (!job.path("state").asText().equals("RUNNING") || job.path("vertices").isEmpty()) {
            return false;
        }
        for (JsonNode vertex : job.path("vertices")) {
            if (!vertex.path("status").asText().equals("RUNNING")) {
                return false;
            }
        }
        return true;
    }

    /** The job's {@code numRestarts} metric (0 until reported). */
    long restarts(String jobId) throws IOException, InterruptedException {
        for (JsonNode m : get("/jobs/" + jobId + "/metrics?get=numRestarts")) {
            return Long.parseLong(m.path("value").asText("0"));
        }
        return 0;
    }

    /** The job's state, restarts and tasks and the cluster's slots, for a failure message. */
    String describe(String jobId) {
        try {
            JsonNode job = get("/jobs/" + jobId);
            StringBuilder s = new StringBuilder("job ").append(job.path("state").asText())
                    .append(", numRestarts metric ").append(restarts(jobId)).append(", last RESTARTING at ")
                    .append(job.path("timestamps").path("RESTARTING").asLong(0)).append(", tasks");
            for (JsonNode vertex : job.path("vertices")) {
                s.append(" [").append(vertex.path("name").asText()).append(": ").append(vertex.path("status").asText())
                        .append(']');
            }
            JsonNode overview = get("/overview");
            return s.append("; slots ").append(overview.path("slots-available").asInt()).append(" free of ")
                    .append(overview.path("slots-total").asInt()).append(" on ")
                    .append(overview.path("taskmanagers").asInt()).append(" task managers").toString();
        } catch (IOException | RuntimeException e) {
            return "the REST API did not answer: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * When the job last entered RESTARTING (epoch ms, the job manager's clock; 0 if never), from the
     * execution graph itself. The {@code numRestarts} metric goes through the REST API's metric
     * fetcher, a cache: a run waited two minutes for it (or for the slots) to catch up with a job
     * that had long recovered.
     */
    long lastRestartMillis(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId).path("timestamps").path("RESTARTING").asLong(0);
    }

    /** Cancels a job (REST {@code PATCH /jobs/:id?mode=cancel}). */
    void cancel(String jobId) throws IOException, InterruptedException {
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://" + restAddress() + "/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /** The last lines of each process's log, for failure messages. */
    String logTails() {
        return logTails(40);
    }

    /** The last {@code count} lines of every process's log and output. */
    String logTails(int count) {
        return cluster.logTails(count);
    }

    @Override
    public void close() {
        cluster.close();
    }
}
