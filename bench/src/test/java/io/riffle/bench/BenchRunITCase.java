package io.riffle.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bench harness at a tiny scale (seconds): every variant outputs every record exactly once
 * in both phases, the swap check runs, and the JSON has every key the README and CI rely on.
 * No timing is asserted.
 */
class BenchRunITCase {
    private static final Logger LOG = LoggerFactory.getLogger(BenchRunITCase.class);

    @Test
    void everyVariantOutputsEveryRecordExactlyOnceAndTheJsonHasEveryKey() throws Exception {
        BenchSettings settings = new BenchSettings(3_000, 500, 1_000, 2, 2, 64, Duration.ofMillis(20), true,
                Duration.ofMillis(500), 0.5, 1_000, Duration.ofSeconds(2), Duration.ofSeconds(1),
                Duration.ofMillis(300), false, List.of(Variant.values()), Duration.ofMinutes(2),
                java.util.Map.of("riffle.scoring.batch-size", "16"));
        ObjectNode result = new BenchRun(settings, LOG::info).run();
        String text = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(result);
        LOG.info("bench result:\n{}", text);
        BenchReport.table(result).forEach(LOG::info);

        assertThat(result.path("problems")).as(text).isEmpty();
        assertThat(result.path("ok").asBoolean()).as(text).isTrue();
        for (Variant v : Variant.values()) {
            JsonNode n = result.path("variants").path(v.key());
            for (String key : List.of("events_per_s", "p50_ms", "p95_ms", "p99_ms", "max_ms", "cpu_s_per_million")) {
                assertThat(n.hasNonNull(key)).as(v.key() + "." + key + " in " + text).isTrue();
            }
            for (String phase : List.of("throughput_phase", "latency_phase")) {
                JsonNode p = n.path(phase);
                assertThat(p.path("exactly_once").asBoolean()).as(v.key() + " " + phase + ": " + p).isTrue();
                assertThat(p.path("duplicates").asLong()).isZero();
                assertThat(p.path("missing").asLong()).isZero();
                assertThat(p.path("distinct").asLong()).isEqualTo(p.path("expected").asLong());
            }
            assertThat(n.path("throughput_phase").path("distinct").asLong()).isEqualTo(3_000);
            // Flink's REST API answered (the figures themselves depend on how many checkpoints completed).
            assertThat(n.path("checkpoints").has("completed")).as(v.key() + " checkpoints: " + n).isTrue();
            assertThat(n.path("checkpoints").has("error")).as(v.key() + " checkpoints: " + n).isFalse();
            // the latency phase's checkpoints too (under exactly-once its output became readable only
            // through them), and where the newest one's time went per task
            assertThat(n.path("latency_phase").path("checkpoints").path("completed").asLong())
                    .as(v.key() + " latency phase checkpoints: " + n).isPositive();
            for (JsonNode c : List.of(n.path("checkpoints"), n.path("latency_phase").path("checkpoints"))) {
                assertThat(c.has("completed")).as(v.key() + " checkpoints: " + n).isTrue();
                if (c.path("completed").asLong() > 0) {
                    JsonNode tasks = c.path("last_by_task");
                    assertThat(tasks.size()).as(v.key() + " last_by_task: " + c).isPositive();
                    if (v == Variant.RIFFLE) {
                        assertThat(tasks.has("features-and-scorer")).as("riffle's scorer in " + c).isTrue();
                    }
                    // (each figure is the slowest subtask's, so they need not add up)
                    tasks.forEach(t -> {
                        for (String key : List.of("end_to_end_ms", "start_delay_ms", "alignment_ms", "sync_ms", "async_ms")) {
                            assertThat(t.path(key).isNumber()).as(v.key() + " " + key + " in " + c).isTrue();
                            assertThat(t.path(key).asLong()).as(v.key() + " " + key + " in " + c).isNotNegative();
                        }
                    });
                }
            }
            JsonNode warm = result.path("warmup").path(v.key()).path("throughput_phase");
            assertThat(warm.path("exactly_once").asBoolean()).as(v.key() + " warm-up: " + warm).isTrue();
            assertThat(warm.path("distinct").asLong()).isEqualTo(1_000);
            JsonNode first = result.path("warmup").path("first_round").path(v.key()).path("throughput_phase");
            assertThat(first.path("distinct").asLong()).as(v.key() + " first warm-up round: " + first).isEqualTo(1_000);
            int rounds = result.path("warmup").path(v.key()).path("rounds_run").asInt();
            assertThat(rounds).as(v.key() + " warm-up rounds").isBetween(1, 2);
            if (Files.isDirectory(Path.of("/proc/self/task"))) {
                // the JVM's compiler and collector threads' share of the phase's CPU, each within what the process used
                assertThat(result.path("warmup").path(v.key()).path("rounds_jit_cores")).hasSize(rounds);
                double busy = n.path("cores_busy").asDouble();
                if (Files.isReadable(Path.of("/proc/self/schedstat"))) {
                    // the snapshot threads' time without a core, in cores: known, and at least 0
                    assertThat(n.path("snapshot_wait_cores").isNumber()).as(v.key() + ".snapshot_wait_cores in " + text).isTrue();
                    assertThat(n.path("snapshot_wait_cores").asDouble()).as(v.key() + ".snapshot_wait_cores").isNotNegative();
                }
                for (String key : List.of("jit_cores", "gc_cores")) {
                    assertThat(n.path(key).isNumber()).as(v.key() + "." + key + " in " + text).isTrue();
                    assertThat(n.path(key).asDouble()).as(v.key() + "." + key).isBetween(0.0, busy + 0.01);
                }
                // where the cores went, for a phase long enough to split: the operators' task threads did
                // work, and no group used more than the process
                JsonNode threads = n.path("thread_cores");
                if (n.path("first_to_last_output_s").asDouble() < BenchRun.MIN_SPLIT_SECONDS) {
                    assertThat(threads.isNull()).as(v.key() + ".thread_cores in " + text).isTrue();
                } else {
                    assertThat(threads.path("tasks").asDouble()).as(v.key() + ".thread_cores in " + text).isPositive();
                    for (String key : List.of("tasks", "checkpoints", "kafka_broker", "kafka_clients", "jit", "gc", "other")) {
                        assertThat(threads.path(key).isNumber()).as(v.key() + ".thread_cores." + key).isTrue();
                        assertThat(threads.path(key).asDouble()).as(v.key() + ".thread_cores." + key)
                                .isBetween(0.0, busy + 0.01);
                    }
                }
            }
        }
        for (String key : List.of("riffle_vs_passthrough", "riffle_vs_naive", "riffle_alt_vs_riffle")) {
            assertThat(result.path("ratios").hasNonNull(key)).as(key).isTrue();
        }
        assertThat(result.path("model_swap").path("scores_with_bad_models").asLong()).isZero();
        assertThat(result.path("model_swap").path("ok").asBoolean()).isTrue();
        assertThat(result.path("latency_load").path("events_per_s").asLong()).isEqualTo(1_000);
    }
}
