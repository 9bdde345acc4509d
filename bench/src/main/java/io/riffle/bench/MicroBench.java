package io.riffle.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riffle.modelops.engine.DeviceRequest;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Runs {@link ScorerBenchmark} with JMH (one fork, which inherits this JVM's class path and
 * module opens) and summarizes it as rows/s per batch size, operator vs raw ONNX Runtime; with a
 * CUDA device, the same batches on the CPU beside it, so the table shows from which batch size the
 * GPU pays (a CUDA call costs about the same whatever the batch).
 */
public final class MicroBench {
    /** Batch sizes on the CPU alone, and when a CUDA device is compared with it. */
    static final List<Integer> CPU_BATCHES = List.of(1, 32, 256, 1024);
    static final List<Integer> CUDA_BATCHES = List.of(32, 256, 1024, 2048, 4096, 8192);

    private MicroBench() {}

    public static ObjectNode run(int forks, int warmupSeconds, int measureSeconds, Consumer<String> out)
            throws Exception {
        return run(forks, warmupSeconds, measureSeconds, "cpu", out);
    }

    /**
     * @param device {@code cpu}, or {@code cuda[:N]}: then both, the CPU first
     * @throws IllegalStateException when a CUDA device is asked for and this ONNX Runtime build has no CUDA provider
     */
    public static ObjectNode run(int forks, int warmupSeconds, int measureSeconds, String device, Consumer<String> out)
            throws Exception {
        DeviceRequest request = DeviceRequest.parse(device);
        boolean cuda = request.kind() != DeviceRequest.Kind.CPU;
        if (cuda && !OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            throw new IllegalStateException("this ONNX Runtime has no CUDA provider: build with 'mvn -Pgpu' on a host"
                    + " with CUDA 12 and cuDNN 9 to measure --device " + device);
        }
        List<String> devices = cuda ? List.of("cpu", request.toString()) : List.of("cpu");
        List<Integer> batches = cuda ? CUDA_BATCHES : CPU_BATCHES;
        List<String> jvm = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports")) {
                jvm.add(arg);
            }
        }
        jvm.add("-Xmx1g");
        Options options = new OptionsBuilder()
                .include(ScorerBenchmark.class.getName())
                .param("device", devices.toArray(new String[0]))
                .param("batchSize", batches.stream().map(String::valueOf).toArray(String[]::new))
                .forks(forks)
                .warmupIterations(warmupSeconds)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(measureSeconds)
                .measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend(jvm.toArray(new String[0]))
                .build();
        Collection<RunResult> results = new Runner(options).run();
        // device -> batch -> {operator rows/s, raw rows/s}
        Map<String, TreeMap<Integer, double[]>> rows = new LinkedHashMap<>();
        devices.forEach(d -> rows.put(d, new TreeMap<>()));
        for (RunResult r : results) {
            int batch = Integer.parseInt(r.getParams().getParam("batchSize"));
            String d = r.getParams().getParam("device");
            String method = r.getParams().getBenchmark();
            double perSecond = r.getPrimaryResult().getScore() * batch;
            double[] row = rows.get(d).computeIfAbsent(batch, k -> new double[2]);
            row[method.endsWith(".operator") ? 0 : 1] = perSecond;
        }
        for (Map.Entry<String, TreeMap<Integer, double[]>> e : rows.entrySet()) {
            if (e.getValue().size() < batches.size()) {
                throw new IllegalStateException("the JMH run produced results for " + e.getValue().size() + " of "
                        + batches.size() + " batch sizes on " + e.getKey() + "; see the benchmark's errors above");
            }
        }
        ObjectNode json = new ObjectMapper().createObjectNode();
        for (String d : devices) {
            out.accept("");
            out.accept("Batching scorer vs ONNX Runtime called directly on " + d
                    + " (the pipeline's two models per batch, one thread, rows/s):");
            out.accept("| batch | operator rows/s | raw ORT rows/s | operator / raw |");
            out.accept("|---:|---:|---:|---:|");
            ObjectNode perDevice = devices.size() == 1 ? json : json.putObject(d);
            rows.get(d).forEach((batch, r) -> {
                ObjectNode n = perDevice.putObject(String.valueOf(batch));
                n.put("operator_rows_per_s", Math.round(r[0]));
                n.put("raw_ort_rows_per_s", Math.round(r[1]));
                double ratio = r[1] > 0 ? Math.round(r[0] / r[1] * 1000) / 1000.0 : 0;
                n.put("operator_vs_raw", ratio);
                out.accept(String.format("| %d | %,.0f | %,.0f | %.2f |", batch, r[0], r[1], ratio));
            });
        }
        if (cuda) {
            String gpu = devices.get(1);
            out.accept("");
            out.accept("Where the GPU pays (operator rows/s on " + gpu + " / on one CPU thread):");
            Integer from = null;
            ObjectNode ratios = json.putObject("cuda_vs_cpu");
            for (int batch : batches) {
                double ratio = rows.get(gpu).get(batch)[0] / Math.max(1e-9, rows.get("cpu").get(batch)[0]);
                ratios.put(String.valueOf(batch), Math.round(ratio * 100) / 100.0);
                out.accept(String.format("  batch %,d: %.2fx", batch, ratio));
                if (from == null && ratio > 1) {
                    from = batch;
                }
            }
            out.accept(from == null ? "  the CPU is faster at every batch size measured: keep device cpu for these models"
                    : "  the GPU is faster from batch " + from + ": set scoring.cuda-batch-size at or above it");
            json.put("cuda_pays_from_batch", from);
        }
        return json;
    }
}
