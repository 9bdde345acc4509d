package io.riffle.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka broker in a JVM of its own ({@link StandaloneBroker}) with a log directory and ports
 * that outlive it: stopped and started again, it is the same broker with the same data, as a
 * restarted broker host is.
 */
final class BrokerProcess implements AutoCloseable {
    private final Path logDir;
    private final Path output;
    private final int port;
    private final int controllerPort;
    private Process process;

    BrokerProcess(Path dir, int port, int controllerPort) throws IOException {
        this.logDir = Files.createDirectories(dir.resolve("kafka-data"));
        this.output = dir.resolve("kafka.out");
        this.port = port;
        this.controllerPort = controllerPort;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Starts the broker; returns once it serves (it prints READY). */
    synchronized void start() throws Exception {
        Path classPathFile = logDir.getParent().resolve("kafka.classpath");
        Files.writeString(classPathFile, "-cp \"" + String.join(File.pathSeparator,
                JobJars.classPath().stream().map(p -> p.toString().replace("\\", "\\\\")).toList()) + "\"\n");
        process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:TieredStopAtLevel=1", "@" + classPathFile, StandaloneBroker.class.getName(),
                "--port", String.valueOf(port), "--controller-port", String.valueOf(controllerPort),
                "--log-dir", logDir.toString()))
                .redirectErrorStream(true).start();
        Process p = process;
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 var log = Files.newBufferedWriter(output, StandardCharsets.UTF_8,
                         java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
                for (String line; (line = in.readLine()) != null; ) {
                    log.write(line);
                    log.newLine();
                    log.flush();
                    if (line.startsWith("READY ")) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            ready.completeExceptionally(new IllegalStateException("the broker exited before it was ready; see " + output));
        }, "broker-output");
        pump.setDaemon(true);
        pump.start();
        ready.get(60, TimeUnit.SECONDS);
    }

    /** Stops the broker as a host shutdown does (SIGTERM: a controlled shutdown) and waits for it. */
    synchronized void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
