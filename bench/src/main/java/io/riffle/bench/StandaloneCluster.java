package io.riffle.bench;

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
import java.net.InetAddress;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Flink standalone session cluster of separate JVMs on this host: a job manager ({@code
 * StandaloneSessionClusterEntrypoint}) and {@code taskManagers} task managers ({@code
 * TaskManagerRunner}), started as Flink's own scripts start them — memory flags from Flink's
 * process-memory calculation, {@code --configDir} with a {@code config.yaml} — on a class path the
 * caller chooses. Everything listens on the loopback interface only; logs go to {@code dir/log}.
 */
public final class StandaloneCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Path confDir;
    private final Path logDir;
    private final int restPort;
    private final List<Path> classPath;
    private final List<String> jvmOptions;
    private final List<Process> processes = new ArrayList<>();
    private final List<Process> taskManagers = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private TaskExecutorProcessSpec taskManagerSpec;
    private int launches;
    private Thread shutdownHook;

    private StandaloneCluster(Path dir, int restPort, List<Path> classPath, List<String> jvmOptions) {
        this.dir = dir;
        this.confDir = dir.resolve("conf");
        this.logDir = dir.resolve("log");
        this.restPort = restPort;
        this.classPath = List.copyOf(classPath);
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /**
     * Starts the job manager and {@code taskManagers} task managers of {@code slots} slots each and
     * returns once every slot is registered (or fails with the processes' log tails after {@code
     * limit}). {@code config} lines (Flink options, e.g. memory sizes) go into the cluster's {@code
     * config.yaml} after the addresses, ports and slots; {@code jvmOptions} are added to every
     * process's command line.
     */
    public static StandaloneCluster start(Path dir, List<Path> classPath, int taskManagers, int slots,
                                          List<String> config, List<String> jvmOptions, Duration limit)
            throws IOException, InterruptedException {
        if (taskManagers < 1 || slots < 1) {
            throw new IllegalArgumentException("a cluster needs at least one task manager with a slot, was "
                    + taskManagers + " x " + slots);
        }
        StandaloneCluster cluster = new StandaloneCluster(dir, freePort(), classPath, jvmOptions);
        Files.createDirectories(cluster.confDir);
        Files.createDirectories(cluster.logDir);
        Files.writeString(cluster.confDir.resolve("config.yaml"), String.join("\n",
                "jobmanager.rpc.address: 127.0.0.1",
                "jobmanager.rpc.port: " + freePort(),
                "jobmanager.bind-host: 127.0.0.1",
                "rest.address: 127.0.0.1",
                "rest.bind-address: 127.0.0.1",
                "rest.port: " + cluster.restPort,
                "taskmanager.host: 127.0.0.1",
                "taskmanager.bind-host: 127.0.0.1",
                "taskmanager.numberOfTaskSlots: " + slots,
                "io.tmp.dirs: " + Files.createDirectories(dir.resolve("tmp")),
                "web.tmpdir: " + Files.createDirectories(dir.resolve("web")),
                String.join("\n", config),
                ""));
        Files.writeString(cluster.confDir.resolve("log4j.properties"), String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = file",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n",
                ""));
        // If this JVM ends without close() (Ctrl-C, a killed test run), the cluster goes with it.
        cluster.shutdownHook = new Thread(cluster::close, "standalone-cluster-stop");
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try {
            Configuration conf = GlobalConfiguration.loadConfiguration(cluster.confDir.toString());
            JobManagerProcessSpec jm = JobManagerProcessUtils.processSpecFromConfig(conf);
            cluster.launch("jobmanager", "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                    JobManagerProcessUtils.generateJvmParametersStr(jm, conf),
                    JobManagerProcessUtils.generateDynamicConfigsStr(jm));
            cluster.taskManagerSpec = TaskExecutorProcessUtils.processSpecFromConfig(conf);
            for (int i = 0; i < taskManagers; i++) {
                cluster.taskManagers.add(cluster.launchTaskManager(i));
            }
            cluster.awaitSlots(slots * taskManagers, limit);
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            String logs = cluster.logTails(40);
            cluster.close();
            throw new IllegalStateException("the Flink cluster did not come up: " + e + "\n" + logs, e);
        }
    }

    private void awaitSlots(int slots, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a cluster process exited with " + p.exitValue());
                }
            }
            try {
                int registered = get("/overview").path("slots-total").asInt();
                if (registered >= slots) {
                    return;
                }
                last = registered + " of " + slots + " slots registered";
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("not every slot registered within " + limit.toSeconds() + " s (" + last + ")");
    }

    /** Kills task manager {@code index} with SIGKILL (no shutdown hook, no goodbye to the job manager). */
    public synchronized void killTaskManager(int index) throws InterruptedException {
        Process p = taskManagers.get(index);
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
        processes.remove(p);
    }

    /** Starts task manager {@code index} again (a new process, as a supervisor would). */
    public synchronized void restartTaskManager(int index) throws IOException {
        taskManagers.set(index, launchTaskManager(index));
    }

    private Process launchTaskManager(int index) throws IOException {
        // a restarted task manager gets log files of its own
        String name = "taskmanager-" + index + (index < taskManagers.size() ? "-restart-" + ++launches : "");
        return launch(name, "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                ProcessMemoryUtils.generateJvmParametersStr(taskManagerSpec),
                TaskExecutorProcessUtils.generateDynamicConfigsStr(taskManagerSpec));
    }

    /** {@code 127.0.0.1:PORT} of the REST endpoint (as {@code riffle submit --jobmanager} takes it). */
    public String restAddress() {
        return "127.0.0.1:" + restPort;
    }

    public int restPort() {
        return restPort;
    }

    public List<Path> classPath() {
        return classPath;
    }

    /** GET on the REST API, as JSON. */
    public JsonNode get(String path) throws IOException, InterruptedException {
        return get(http, restAddress(), path);
    }

    /** GET on the REST API of the Flink cluster at {@code address} (host:port), as JSON; an IOException unless HTTP 200. */
    static JsonNode get(HttpClient http, String address, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://" + address + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** How many distinct task managers run at least one of the job's subtasks. */
    public int taskManagersOf(String jobId) throws IOException, InterruptedException {
        Set<String> ids = new HashSet<>();
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            for (JsonNode tm : get("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/taskmanagers")
                    .path("taskmanagers")) {
                ids.add(tm.path("taskmanager-id").asText(tm.path("endpoint").asText()));
            }
        }
        return ids.size();
    }

    /** CPU time of the cluster's live processes so far, nanoseconds (0 for a process the OS will not tell). */
    public synchronized long cpuNanos() {
        long total = 0;
        for (Process p : processes) {
            total += p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
        }
        return total;
    }

    /** The last {@code count} lines of every process's log and output file. */
    public String logTails(int count) {
        StringBuilder tails = new StringBuilder();
        List<Path> files;
        try (Stream<Path> logs = Files.list(logDir)) {
            files = logs.sorted().toList();
        } catch (IOException e) {
            return "(no logs: " + e + ")";
        }
        for (Path log : files) {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                tails.append("--- ").append(log).append(" (last ").append(count).append(" lines)\n");
                lines.subList(Math.max(0, lines.size() - count), lines.size()).forEach(l -> tails.append(l).append('\n'));
            } catch (IOException | UncheckedIOException e) {
                tails.append("--- ").append(log).append(": ").append(e).append('\n');
            }
        }
        return tails.toString();
    }

    private Process launch(String name, String mainClass, String jvmParameters, String dynamicConfigs)
            throws IOException {
        // The class path goes in an argument file: a short command line (ONNX Runtime 1.29 crashed on long ones).
        Path classPathFile = dir.resolve(name + ".classpath");
        Files.writeString(classPathFile, "-cp \"" + String.join(File.pathSeparator,
                classPath.stream().map(p -> p.toString().replace("\\", "\\\\")).toList()) + "\"\n");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(jvmParameters.trim().split("\\s+")));
        command.addAll(jvmOptions);
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
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Stops every process (SIGTERM, then SIGKILL after 15 s) and deletes the blobs; conf/ and log/ stay. */
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
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs (or ran) this anyway
            }
        }
        for (String scratch : List.of("tmp", "web")) {
            try (Stream<Path> files = Files.walk(dir.resolve(scratch))) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                // best effort
            }
        }
    }
}
