package io.riffle.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The human-readable results table of a bench run. The JSON keys it reads are the contract of
 * {@code --json}: {@code variants.<name>.{events_per_s, p50_ms, p95_ms, p99_ms, max_ms,
 * cpu_s_per_million}} (and, where known, {@code jit_cores, gc_cores, thread_cores}), {@code ratios.{riffle_vs_passthrough, riffle_vs_naive}},
 * {@code latency_load.events_per_s}, {@code model_swap.{p50_ms, max_ms}} and {@code ok}.
 */
public final class BenchReport {
    private BenchReport() {}

    public static List<String> table(JsonNode root) {
        List<String> lines = new ArrayList<>();
        JsonNode s = root.path("settings");
        JsonNode m = root.path("machine");
        lines.add(String.format("Riffle bench: %,d events, %s, parallelism %d, batch size %d, checkpoints every %d ms;"
                        + " %d cores, %s", s.path("events").asLong(), s.path("delivery").asText(),
                s.path("parallelism").asInt(), s.path("batch_size").asInt(), s.path("checkpoint_interval_ms").asLong(),
                m.path("cores").asInt(), m.path("java").asText()));
        if (root.has("scale_out")) {
            scaleOut(root.path("scale_out"), lines);
            lines.add(root.path("ok").asBoolean() ? "All exactly-once checks passed."
                    : "PROBLEMS: " + root.path("problems"));
            return lines;
        }
        lines.add(String.format("Latency at a fixed offered load of %,d events/s (%s), ingestion (input Kafka timestamp)"
                        + " -> output appended to Kafka", root.path("latency_load").path("events_per_s").asLong(),
                root.path("latency_load").hasNonNull("fraction_of_passthrough")
                        ? Math.round(root.path("latency_load").path("fraction_of_passthrough").asDouble() * 100)
                        + "% of the passthrough's rate" : "fixed"));
        lines.add("");
        lines.add("| variant | events/s | CPU s / M events | p50 ms | p95 ms | p99 ms | max ms | visible p99 ms |"
                + " exactly once |");
        lines.add("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        root.path("variants").fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            boolean exact = v.path("throughput_phase").path("exactly_once").asBoolean()
                    && v.path("latency_phase").path("exactly_once").asBoolean();
            lines.add(String.format("| %s | %,d | %.2f | %d | %d | %d | %d | %d | %s |", e.getKey(),
                    v.path("events_per_s").asLong(), v.path("cpu_s_per_million").asDouble(), v.path("p50_ms").asLong(),
                    v.path("p95_ms").asLong(), v.path("p99_ms").asLong(), v.path("max_ms").asLong(),
                    v.path("visible_p99_ms").asLong(), exact ? "yes" : "NO"));
        });
        JsonNode r = root.path("ratios");
        lines.add("");
        lines.add(String.format("riffle / passthrough = %s x, riffle / naive = %s x (throughput); CPU per event riffle /"
                        + " passthrough = %s x, riffle / naive = %s x", r.path("riffle_vs_passthrough").asText("-"),
                r.path("riffle_vs_naive").asText("-"), r.path("cpu_riffle_vs_passthrough").asText("-"),
                r.path("cpu_riffle_vs_naive").asText("-")));
        if (r.has("passthrough_keyed_vs_passthrough")) {
            lines.add(String.format("passthrough-keyed / passthrough = %s x (throughput), CPU per event %s x; riffle /"
                            + " passthrough-keyed = %s x, CPU per event %s x",
                    r.path("passthrough_keyed_vs_passthrough").asText("-"),
                    r.path("cpu_passthrough_keyed_vs_passthrough").asText("-"),
                    r.path("riffle_vs_passthrough_keyed").asText("-"), r.path("cpu_riffle_vs_passthrough_keyed").asText("-")));
        }
        if (r.hasNonNull("riffle_alt_vs_riffle")) {
            lines.add(String.format("riffle-alt (%s) / riffle = %s x (throughput), CPU per event %s x; riffle-alt /"
                            + " passthrough = %s x", root.path("settings").path("riffle_alt"),
                    r.path("riffle_alt_vs_riffle").asText("-"), r.path("cpu_riffle_alt_vs_riffle").asText("-"),
                    r.path("riffle_alt_vs_passthrough").asText("-")));
        }
        List<String> jvm = new ArrayList<>();
        root.path("variants").fields().forEachRemaining(e -> {
            JsonNode t = e.getValue().path("thread_cores");
            if (t.isObject()) {
                jvm.add(e.getKey() + " " + cores(t));
            } else if (e.getValue().path("jit_cores").isNumber()) {
                jvm.add(String.format("%s JIT %.2f, GC %.2f", e.getKey(), e.getValue().path("jit_cores").asDouble(),
                        e.getValue().path("gc_cores").asDouble()));
            }
        });
        if (!jvm.isEmpty()) {
            lines.add("Where the cores went during the throughput phases: " + String.join("; ", jvm)
                    + " (a JIT still compiling slows the phase it shares the cores with)");
        }
        JsonNode swap = root.path("model_swap");
        if (!swap.path("skipped").asBoolean()) {
            lines.add(String.format("Model swap during the riffle throughput phase: %d versions published, %d served;"
                            + " publish -> first score p50 %s ms, max %s ms; %d scores with a bad model set",
                    swap.path("versions_published").asInt(), swap.path("versions_observed").asInt(),
                    swap.path("p50_ms").asText("-"), swap.path("max_ms").asText("-"),
                    swap.path("scores_with_bad_models").asLong()));
        }
        lines.add(root.path("ok").asBoolean() ? "All exactly-once checks passed."
                : "PROBLEMS: " + root.path("problems"));
        return lines;
    }

    /** {@code scale_out.clusters.<task managers>.variants.<name>} and {@code scale_out.ratios}. */
    private static void scaleOut(JsonNode s, List<String> lines) {
        lines.add(String.format("Scale-out: standalone Flink clusters of separate JVMs, %d slots in total, %,d MB of"
                + " task manager memory in total", s.path("slots_total").asInt(), s.path("task_manager_memory_mb_total")
                .asInt()));
        lines.add("");
        lines.add("| task managers x slots | variant | events/s | CPU s / M events | task managers used | exactly once |");
        lines.add("|---|---|---:|---:|---:|---|");
        s.path("clusters").fields().forEachRemaining(c -> c.getValue().path("variants").fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            lines.add(String.format("| %s x %d | %s | %,d | %.2f | %d | %s |", c.getKey(),
                    c.getValue().path("slots_per_task_manager").asInt(), e.getKey(), v.path("events_per_s").asLong(),
                    v.path("cpu_s_per_million").asDouble(), v.path("task_managers_used").asInt(),
                    v.path("throughput_phase").path("exactly_once").asBoolean() ? "yes" : "NO"));
        }));
        lines.add("");
        List<String> ratios = new ArrayList<>();
        s.path("ratios").fields().forEachRemaining(r -> ratios.add(r.getKey() + " = " + r.getValue().asText("-")));
        if (!ratios.isEmpty()) {
            lines.add("Ratios (throughput; cpu_: CPU per event): " + String.join(", ", ratios));
        }
    }

    /** A phase's {@code thread_cores} as words: "tasks 1.05, checkpoints 0.10, kafka broker 0.23, ...". */
    static String cores(JsonNode threadCores) {
        List<String> parts = new ArrayList<>();
        threadCores.fields().forEachRemaining(g -> parts.add(String.format("%s %.2f",
                g.getKey().replace('_', ' '), g.getValue().asDouble())));
        return String.join(", ", parts);
    }
}
