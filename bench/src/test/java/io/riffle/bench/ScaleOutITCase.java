package io.riffle.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bench's scale-out mode at a tiny scale: the scoring job and the passthrough run on a
 * standalone Flink cluster of one task manager JVM with two slots and then of two task manager
 * JVMs with one slot each (the job manager in a JVM of its own too), reading from and writing to
 * the bench's broker. Every record comes out exactly once on both, the two-JVM cluster really runs
 * the job's subtasks in both task managers (the keyed shuffle crosses processes), and the JSON
 * carries the ratio the README quotes. No timing is asserted.
 */
class ScaleOutITCase {
    private static final Logger LOG = LoggerFactory.getLogger(ScaleOutITCase.class);

    @Test
    void theJobRunsExactlyOnceOnOneAndOnTwoTaskManagerProcesses() throws Exception {
        BenchSettings settings = new BenchSettings(3_000, 500, 500, 1, 2, 64, Duration.ofMillis(20), true,
                Duration.ofMillis(500), 0.5, 1_000, Duration.ofSeconds(2), Duration.ofSeconds(1),
                Duration.ZERO, true, List.of(Variant.PASSTHROUGH, Variant.RIFFLE), Duration.ofMinutes(3), Map.of());
        ObjectNode result = new BenchRun(settings, List.of(1, 2), LOG::info).run();
        String text = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(result);
        LOG.info("scale-out result:\n{}", text);
        BenchReport.table(result).forEach(LOG::info);

        assertThat(result.path("problems")).as(text).isEmpty();
        assertThat(result.path("ok").asBoolean()).as(text).isTrue();
        for (int n : List.of(1, 2)) {
            JsonNode cluster = result.path("scale_out").path("clusters").path(String.valueOf(n));
            assertThat(cluster.path("slots_per_task_manager").asInt()).isEqualTo(2 / n);
            for (Variant v : List.of(Variant.PASSTHROUGH, Variant.RIFFLE)) {
                JsonNode r = cluster.path("variants").path(v.key());
                JsonNode phase = r.path("throughput_phase");
                assertThat(phase.path("exactly_once").asBoolean()).as(n + " TM " + v.key() + ": " + phase).isTrue();
                assertThat(phase.path("distinct").asLong()).isEqualTo(3_000);
                assertThat(phase.path("duplicates").asLong()).isZero();
                assertThat(r.path("task_managers_used").asInt()).as(n + " TM " + v.key()).isEqualTo(n);
                assertThat(r.path("events_per_s").asLong()).isPositive();
                assertThat(r.path("cpu_s_per_million").asDouble()).isPositive();
                assertThat(r.path("checkpoints").has("completed")).as(r.toString()).isTrue();
            }
        }
        assertThat(result.path("scale_out").path("ratios").hasNonNull("riffle_2tm_vs_1tm")).as(text).isTrue();
        assertThat(result.path("scale_out").path("ratios").hasNonNull("passthrough_2tm_vs_1tm")).as(text).isTrue();
    }
}
