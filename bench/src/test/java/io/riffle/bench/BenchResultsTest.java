package io.riffle.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The parts of a bench run's JSON that are arithmetic, without a broker or a cluster. */
class BenchResultsTest {
    private final ObjectMapper json = new ObjectMapper();
    private final List<String> said = new ArrayList<>();
    private final BenchSettings settings = new BenchSettings(1_000, 100_000, 0, 1, 2, 64, Duration.ofMillis(20), false,
            Duration.ofSeconds(2), 0.5, 0, Duration.ofSeconds(10), Duration.ofSeconds(3), Duration.ofSeconds(2), true,
            List.of(Variant.PASSTHROUGH, Variant.NAIVE, Variant.RIFFLE), Duration.ofMinutes(3), java.util.Map.of());
    private final BenchResults results = new BenchResults(json, settings, said::add);

    @Test
    void ratiosCompareRiffleWithEachBaselineAndAreNullWhereAFigureIsMissing() {
        Map<Variant, ObjectNode> byVariant = new EnumMap<>(Variant.class);
        byVariant.put(Variant.PASSTHROUGH, json.createObjectNode().put("events_per_s", 300_000)
                .put("cpu_s_per_million", 4.0));
        byVariant.put(Variant.NAIVE, json.createObjectNode().put("events_per_s", 30_000).put("cpu_s_per_million", 0.0));
        byVariant.put(Variant.RIFFLE, json.createObjectNode().put("events_per_s", 100_000)
                .put("cpu_s_per_million", 12.0));
        ObjectNode r = results.ratios(byVariant);
        assertThat(r.get("riffle_vs_passthrough").asDouble()).isEqualTo(0.333);
        assertThat(r.get("riffle_vs_naive").asDouble()).isEqualTo(3.333);
        assertThat(r.get("cpu_riffle_vs_passthrough").asDouble()).isEqualTo(3.0);
        assertThat(r.get("cpu_riffle_vs_naive").isNull()).as("a zero baseline gives no ratio").isTrue();

        byVariant.remove(Variant.NAIVE);
        assertThat(results.ratios(byVariant).get("riffle_vs_naive").isNull()).isTrue();
        assertThat(results.problems()).isEmpty();
    }

    @Test
    void theKeyedPassthroughGivesTheShufflesShareAndRiffleAgainstAKeyedJobsCeilingOnlyWhenItRan() {
        Map<Variant, ObjectNode> byVariant = new EnumMap<>(Variant.class);
        byVariant.put(Variant.PASSTHROUGH, json.createObjectNode().put("events_per_s", 400_000)
                .put("cpu_s_per_million", 3.0));
        byVariant.put(Variant.RIFFLE, json.createObjectNode().put("events_per_s", 200_000)
                .put("cpu_s_per_million", 6.0));
        assertThat(results.ratios(byVariant).has("riffle_vs_passthrough_keyed")).isFalse();

        byVariant.put(Variant.PASSTHROUGH_KEYED, json.createObjectNode().put("events_per_s", 250_000)
                .put("cpu_s_per_million", 4.5));
        ObjectNode r = results.ratios(byVariant);
        assertThat(r.get("passthrough_keyed_vs_passthrough").asDouble()).isEqualTo(0.625);
        assertThat(r.get("cpu_passthrough_keyed_vs_passthrough").asDouble()).isEqualTo(1.5);
        assertThat(r.get("riffle_vs_passthrough_keyed").asDouble()).isEqualTo(0.8);
        assertThat(r.get("cpu_riffle_vs_passthrough_keyed").asDouble()).isEqualTo(1.333);
        assertThat(r.get("riffle_vs_passthrough").asDouble()).isEqualTo(0.5);
        assertThat(BenchReport.table(json.createObjectNode().set("ratios", r)))
                .anyMatch(line -> line.contains("passthrough-keyed / passthrough = 0.625 x")
                        && line.contains("riffle / passthrough-keyed = 0.8 x"));
    }

    @Test
    void settingsAndMachineAreRecordedWithTheRun() {
        ObjectNode s = results.settingsJson();
        assertThat(s.get("events").asLong()).isEqualTo(1_000);
        assertThat(s.get("delivery").asText()).isEqualTo("at-least-once");
        assertThat(s.get("batch_max_delay_ms").asLong()).isEqualTo(20);
        assertThat(s.get("swap_every_ms").asLong()).isEqualTo(2_000);
        ObjectNode m = results.machine();
        assertThat(m.get("cores").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(m.has("java")).isTrue();
    }

    @Test
    void roundingKeepsTheAskedDigits() {
        assertThat(BenchResults.round(2.34567, 2)).isEqualTo(2.35);
        assertThat(BenchResults.round(1234.56, 0)).isEqualTo(1235.0);
    }
}
