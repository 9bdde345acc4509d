package io.riffle.tests;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 1,000 model swaps alternating two versions while events stream in ({@link ModelSwapsRun}, in a
 * JVM of its own whose heap is fixed and touched at start, so its resident set grows only with
 * native and off-heap memory: ONNX Runtime sessions, tensors, threads). After 100 swaps of warm-up
 * the open ONNX Runtime sessions must not grow, and the resident set may grow by at most 5%.
 */
class ModelSwapsITCase {
    static final int SWAPS = 1_000;
    static final int WARM_UP = 100;

    @Test
    void sessionsAndResidentMemoryStayFlatOverAThousandSwapsUnderLoad() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "model-swaps"));
        Path classPathFile = dir.resolve("classpath");
        Files.writeString(classPathFile, "-cp \"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms768m", "-Xmx768m", "-XX:+AlwaysPreTouch", "-XX:TieredStopAtLevel=1"));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports")).forEach(command::add);
        command.addAll(List.of("@" + classPathFile, ModelSwapsRun.class.getName(), String.valueOf(SWAPS),
                String.valueOf(WARM_UP)));
        Path log = dir.resolve("run.log");
        Process run = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean done = run.waitFor(8, TimeUnit.MINUTES);
        if (!done) {
            run.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        String result = lines.stream().filter(l -> l.startsWith("RESULT ")).findFirst().orElse(null);
        assertThat(result).as("the run ended with a RESULT line (exit %s); last lines:%n%s",
                done ? run.exitValue() : "none, killed after 8 min",
                String.join(File.separator.equals("/") ? "\n" : "\r\n", lines.subList(Math.max(0, lines.size() - 40),
                        lines.size()))).isNotNull();
        Map<String, Long> r = new HashMap<>();
        for (String kv : result.substring("RESULT ".length()).split(" ")) {
            String[] p = kv.split("=");
            r.put(p[0], Long.parseLong(p[1]));
        }
        System.out.println("model swaps: " + result);
        assertThat(r.get("loaded")).as("every swap was loaded by every subtask").isEqualTo(SWAPS);
        assertThat(r.get("sent")).as("events streamed during the swaps").isGreaterThan(1_000);
        assertThat(r.get("sessionsEnd")).as("open ONNX Runtime sessions after warm-up and at the end")
                .isLessThanOrEqualTo(r.get("sessionsWarm"));
        assertThat(r.get("sessionsMax")).as("sessions: one per model's bytes, shared by the subtasks").isLessThanOrEqualTo(2);
        assertThat((double) r.get("rssEnd")).as("resident set after %d swaps vs after %d (bytes)", SWAPS, WARM_UP)
                .isLessThanOrEqualTo(r.get("rssWarm") * 1.05);
    }
}
