package io.riffle.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Runs {@link ScorerBenchmark} with JMH (one fork, which inherits this JVM's class path and
 * module opens) and summarizes it as rows/s per batch size, operator vs raw ONNX Runtime.
 */
public final class MicroBench {
    private MicroBench() {}

    public static ObjectNode run(int forks, int warmupSeconds, int measureSeconds, Consumer<String> out)
            throws Exception {
        List<String> jvm = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports")) {
                jvm.add(arg);
            }
        }
        jvm.add("-Xmx1g");
        Options options = new OptionsBuilder()
                .include(ScorerBenchmark.class.getName())
                .forks(forks)
                .warmupIterations(warmupSeconds)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(measureSeconds)
                .measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend(jvm.toArray(new String[0]))
                .build();
        Collection<RunResult> results = new Runner(options).run();
        TreeMap<Integer, double[]> rows = new TreeMap<>();
        for (RunResult r : results) {
            int batch = Integer.parseInt(r.getParams().getParam("batchSize"));
            String method = r.getParams().getBenchmark();
            double perSecond = r.getPrimaryResult().getScore() * batch;
            double[] row = rows.computeIfAbsent(batch, k -> new double[2]);
            row[method.endsWith(".operator") ? 0 : 1] = perSecond;
        }
        if (rows.size() < 4) {
            throw new IllegalStateException("the JMH run produced results for " + rows.size()
                    + " of 4 batch sizes; see the benchmark's errors above");
        }
        ObjectNode json = new ObjectMapper().createObjectNode();
        out.accept("");
        out.accept("Batching scorer vs ONNX Runtime called directly (two models per batch, one thread, rows/s):");
        out.accept("| batch | operator rows/s | raw ORT rows/s | operator / raw |");
        out.accept("|---:|---:|---:|---:|");
        rows.forEach((batch, r) -> {
            ObjectNode n = json.putObject(String.valueOf(batch));
            n.put("operator_rows_per_s", Math.round(r[0]));
            n.put("raw_ort_rows_per_s", Math.round(r[1]));
            double ratio = r[1] > 0 ? Math.round(r[0] / r[1] * 1000) / 1000.0 : 0;
            n.put("operator_vs_raw", ratio);
            out.accept(String.format("| %d | %,.0f | %,.0f | %.2f |", batch, r[0], r[1], ratio));
        });
        return json;
    }
}
