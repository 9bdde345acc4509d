package io.riffle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import static org.awaitility.Awaitility.await;

/**
 * A real Flink session cluster in two JVMs of their own — {@code StandaloneSessionClusterEntrypoint}
 * and one {@code TaskManagerRunner}, started as Flink's scripts start them (memory flags from
 * Flink's own process-memory calculation, {@code --configDir} with a {@code config.yaml}) — whose
 * class path is Flink's distribution and the libraries it bundles, taken from this test's class
 * path. No Riffle class, Kafka connector or client, Avro or ONNX Runtime is on it: a job submitted
 * here runs only if its jars were shipped with it.
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
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final int restPort;
    private final List<Path> classPath;
    private final List<Process> processes = new ArrayList<>();

    private final Path confDir;
    private final Path logDir;
    private final List<Process> taskManagers = new ArrayList<>();
    private TaskExecutorProcessSpec taskManagerSpec;
    private int launches;

    private FlinkSessionCluster(Path dir, int restPort, List<Path> classPath, Path confDir, Path logDir) {
        this.dir = dir;
        this.restPort = restPort;
        this.classPath = classPath;
        this.confDir = confDir;
        this.logDir = logDir;
    }

    private Process launchTaskManager(int index) throws IOException {
        // the first launch keeps the name the logs always had; restarts get their own files
        String name = launches++ == 0 ? "taskmanager" : "taskmanager-" + index + "-" + launches;
        return launch(name, "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                ProcessMemoryUtils.generateJvmParametersStr(taskManagerSpec),
                TaskExecutorProcessUtils.generateDynamicConfigsStr(taskManagerSpec), confDir, logDir);
    }

    /** Kills task manager {@code index} with SIGKILL (no shutdown hook, no goodbye to the job manager). */
    synchronized void killTaskManager(int index) throws InterruptedException {
        Process p = taskManagers.get(index);
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
        processes.remove(p);
    }

    /** Starts task manager {@code index} again (a new process, as a supervisor would). */
    synchronized void restartTaskManager(int index) throws IOException {
        taskManagers.set(index, launchTaskManager(index));
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
        Path confDir = Files.createDirectories(dir.resolve("conf"));
        Path logDir = Files.createDirectories(dir.resolve("log"));
        int restPort = freePort();
        String config = String.join("\n",
                "jobmanager.rpc.address: 127.0.0.1",
                "jobmanager.rpc.port: " + freePort(),
                "jobmanager.bind-host: 127.0.0.1",
                "rest.address: 127.0.0.1",
                "rest.bind-address: 127.0.0.1",
                "rest.port: " + restPort,
                "taskmanager.host: 127.0.0.1",
                "taskmanager.bind-host: 127.0.0.1",
                "taskmanager.numberOfTaskSlots: " + slots,
                "jobmanager.memory.process.size: 768m",
                "taskmanager.memory.process.size: 1280m",
                "taskmanager.memory.managed.size: 32m",
                "parallelism.default: 1",
                "io.tmp.dirs: " + Files.createDirectories(dir.resolve("tmp")),
                "web.tmpdir: " + Files.createDirectories(dir.resolve("web")),
                String.join("\n", extraConfig),
                "");
        Files.writeString(confDir.resolve("config.yaml"), config);
        Files.writeString(confDir.resolve("log4j.properties"), String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = file",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n",
                ""));

        List<Path> classPath = flinkClassPath(JobJars.classPath());
        FlinkSessionCluster cluster = new FlinkSessionCluster(dir, restPort, classPath, confDir, logDir);
        // If this JVM ends without close() (a killed test run, Ctrl-C on main), the cluster goes with it.
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "flink-session-cluster-stop"));
        try {
            Configuration conf = GlobalConfiguration.loadConfiguration(confDir.toString());
            JobManagerProcessSpec jm = JobManagerProcessUtils.processSpecFromConfig(conf);
            cluster.launch("jobmanager", "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                    JobManagerProcessUtils.generateJvmParametersStr(jm, conf),
                    JobManagerProcessUtils.generateDynamicConfigsStr(jm), confDir, logDir);
            cluster.taskManagerSpec = TaskExecutorProcessUtils.processSpecFromConfig(conf);
            for (int i = 0; i < taskManagers; i++) {
                cluster.taskManagers.add(cluster.launchTaskManager(i));
            }
            await().atMost(limit).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> cluster.aliveOrFail().get("/overview").path("slots-total").asInt() >= slots * taskManagers);
            return cluster;
        } catch (Throwable e) {
            String logs = cluster.logTails();
            cluster.close();
            throw new AssertionError("the Flink cluster did not come up: " + e + "\n" + logs, e);
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
        for (Path jar : classPath) {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                zip.stream().map(e -> e.getName())
                        .filter(name -> name.endsWith(".class") && SHIPPED_PACKAGES.stream().anyMatch(name::startsWith))
                        .findFirst().ifPresent(name -> found.add(jar.getFileName() + ": " + name));
            }
        }
        return found;
    }

    List<Path> classPath() {
        return classPath;
    }

    /** {@code 127.0.0.1:PORT} of the REST endpoint, as {@code --jobmanager} takes it. */
    String restAddress() {
        return "127.0.0.1:" + restPort;
    }

    /** GET on the REST API, as JSON. */
    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://" + restAddress() + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
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

    /** Cancels a job (REST {@code PATCH /jobs/:id?mode=cancel}). */
    void cancel(String jobId) throws IOException, InterruptedException {
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://" + restAddress() + "/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /** The last lines of each process's log, for failure messages. */
    String logTails() {
        StringBuilder tails = new StringBuilder();
        List<String> names = new ArrayList<>(List.of("jobmanager", "taskmanager"));
        try (Stream<Path> logs = Files.list(dir.resolve("log"))) {
            logs.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("taskmanager-") && f.endsWith(".log"))
                    .sorted().forEach(f -> names.add(f.substring(0, f.length() - 4)));
        } catch (IOException e) {
            // only the usual names then
        }
        for (String name : names) {
            for (String suffix : List.of(".log", ".out")) {
                Path log = dir.resolve("log").resolve(name + suffix);
                try {
                    List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
                    tails.append("--- ").append(log).append(" (last 40 lines)\n");
                    lines.subList(Math.max(0, lines.size() - 40), lines.size())
                            .forEach(l -> tails.append(l).append('\n'));
                } catch (IOException e) {
                    tails.append("--- ").append(log).append(": ").append(e).append('\n');
                }
            }
        }
        return tails.toString();
    }

    private FlinkSessionCluster aliveOrFail() {
        for (Process p : processes) {
            if (!p.isAlive()) {
                throw new IllegalStateException("a cluster process exited with " + p.exitValue() + "\n" + logTails());
            }
        }
        return this;
    }

    private Process launch(String name, String mainClass, String jvmParameters, String dynamicConfigs, Path confDir,
                           Path logDir) throws IOException {
        // The class path goes in an argument file: a short command line (ONNX Runtime 1.29 crashed on long ones).
        Path classPathFile = dir.resolve(name + ".classpath");
        Files.writeString(classPathFile, "-cp \"" + String.join(File.pathSeparator,
                classPath.stream().map(p -> p.toString().replace("\\", "\\\\")).toList()) + "\"\n");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(jvmParameters.trim().split("\\s+")));
        // Short-lived test JVMs on two shared cores: C1 alone starts them in about half the CPU time.
        command.add("-XX:TieredStopAtLevel=1");
        // Flink on Java 17 needs its --add-opens/--add-exports (env.java.default-opts.all); this JVM has them.
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports"))
                .forEach(command::add);
        command.add("-Dlog.file=" + logDir.resolve(name + ".log"));
        command.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        command.add("@" + classPathFile);
        command.add(mainClass);
        command.add("--configDir");
        command.add(confDir.toString());
        command.addAll(Arrays.asList(dynamicConfigs.trim().split("\\s+")));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logDir.resolve(name + ".out").toFile())
                .start();
        processes.add(process);
        return process;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public synchronized void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.destroy();
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        processes.clear();
        // Keep conf/ and log/ for a look after a failure; the blobs (every shipped jar, twice) go.
        for (String scratch : List.of("tmp", "web")) {
            try (Stream<Path> files = Files.walk(dir.resolve(scratch))) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                // best effort: it is under target/
            }
        }
    }
}
