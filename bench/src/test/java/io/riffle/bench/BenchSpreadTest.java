package io.riffle.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BenchSpreadTest {
    private final ObjectMapper json = new ObjectMapper();

    private JsonNode run(double vsPassthrough, long riffleRate, Long p99) throws Exception {
        return json.readTree("""
                {"ratios": {"riffle_vs_passthrough": %s, "riffle_vs_naive": 3.0},
                 "variants": {"riffle": {"events_per_s": %d, "cpu_s_per_million": 16.0 %s}}}
                """.formatted(vsPassthrough, riffleRate, p99 == null ? "" : ", \"p99_ms\": " + p99));
    }

    @Test
    void eachFigureHasItsValuesMinMedianAndMax() throws Exception {
        JsonNode s = BenchSpread.of(List.of(run(0.7, 100_000, 40L), run(0.9, 120_000, 60L), run(0.8, 90_000, 50L)));
        JsonNode r = s.path("ratios").path("riffle_vs_passthrough");
        assertThat(r.path("min").asDouble()).isEqualTo(0.7);
        assertThat(r.path("median").asDouble()).isEqualTo(0.8);
        assertThat(r.path("max").asDouble()).isEqualTo(0.9);
        assertThat(r.path("values")).hasSize(3);
        assertThat(s.path("variants").path("riffle").path("events_per_s").path("median").asDouble()).isEqualTo(100_000);
        assertThat(s.path("variants").path("riffle").path("p99_ms").path("max").asDouble()).isEqualTo(60);
        assertThat(BenchSpread.lines((com.fasterxml.jackson.databind.node.ObjectNode) s))
                .contains("  riffle_vs_passthrough 0.800 (0.700 .. 0.900)");
    }

    @Test
    void anEvenNumberOfRunsHasTheMeanOfTheMiddleTwoAndMissingFiguresStayEmpty() throws Exception {
        JsonNode s = BenchSpread.of(List.of(run(0.6, 1, null), run(0.8, 3, null)));
        assertThat(s.path("ratios").path("riffle_vs_passthrough").path("median").asDouble()).isEqualTo(0.7);
        JsonNode rates = BenchSpread.of(List.of(run(0.6, 185_000, 807L), run(0.8, 186_361, 808L)));
        assertThat(BenchSpread.lines((com.fasterxml.jackson.databind.node.ObjectNode) rates))
                .contains("  riffle events_per_s 185,681 (185,000 .. 186,361)", "  riffle p99_ms 808 (807 .. 808)",
                        "  riffle cpu_s_per_million 16.000 (16.000 .. 16.000)", "  riffle_vs_passthrough 0.700 (0.600 .. 0.800)");
        assertThat(s.path("variants").path("riffle").path("p99_ms").has("median")).isFalse();
        assertThat(s.path("ratios").path("cpu_riffle_vs_naive").path("values")).isEmpty();
    }

    /** A lever's ratio (--alt) gets its spread too, and only in runs that measured one. */
    @Test
    void theLeversRatioHasItsSpreadWhenThereIsALever() throws Exception {
        List<JsonNode> runs = List.of(
                json.readTree("{\"ratios\": {\"riffle_alt_vs_riffle\": 1.19, \"cpu_riffle_alt_vs_riffle\": 0.83}}"),
                json.readTree("{\"ratios\": {\"riffle_alt_vs_riffle\": 1.14, \"cpu_riffle_alt_vs_riffle\": 0.87}}"),
                json.readTree("{\"ratios\": {\"riffle_alt_vs_riffle\": 1.68, \"cpu_riffle_alt_vs_riffle\": 0.61}}"));
        JsonNode s = BenchSpread.of(runs);
        assertThat(s.path("ratios").path("riffle_alt_vs_riffle").path("median").asDouble()).isEqualTo(1.19);
        assertThat(s.path("ratios").path("cpu_riffle_alt_vs_riffle").path("min").asDouble()).isEqualTo(0.61);
        assertThat(BenchSpread.of(List.of(run(0.7, 1, null))).path("ratios").has("riffle_alt_vs_riffle")).isFalse();
    }
}
