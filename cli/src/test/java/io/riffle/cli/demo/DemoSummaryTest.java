package io.riffle.cli.demo;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo's closing lines, from a summary map as the command fills it. */
class DemoSummaryTest {

    private static String print(Map<String, Object> s, List<String> deadLetters) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DemoSummary.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), s, deadLetters);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static Map<String, Object> summary(boolean reconciled) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("events_in", 1_000L);
        s.put("scores_out", 998L);
        s.put("dead_letters", 2L);
        s.put("reconciled", reconciled);
        s.put("alerts", 40L);
        s.put("fraud_events_scored", 30L);
        s.put("fraud_events_alerted", 25L);
        s.put("model_versions", List.of("fraud v1", "anomaly v1"));
        s.put("device", "cpu");
        s.put("latency_ms_p50", 12L);
        s.put("latency_ms_p99", 80L);
        s.put("latency_ms_max", 200L);
        s.put("visible_latency_ms_p50", 500L);
        s.put("visible_latency_ms_p99", 1_100L);
        s.put("model_versions_published", 3);
        s.put("trainer_rounds", 5);
        s.put("champion_auc_before_drift", 0.91234);
        s.put("champion_auc_after_drift", null);
        s.put("bootstrap_auc_after_drift", 0.7);
        s.put("prequential_auc", DemoSummary.finite(Double.NaN));
        return s;
    }

    @Test
    void reconciledRunsSayEveryEventIsAccountedFor() {
        String text = print(summary(true), List.of("bad record at offset 7"));
        assertThat(text).contains("events in 1,000 = scores 998 + dead letters 2 : every event accounted for")
                .contains("latency from ingestion to score: p50 12 ms, p99 80 ms, max 200 ms")
                .contains("fraud: 25 of 30 fraudulent events alerted; 40 alerts in all")
                .contains("model versions loaded: [fraud v1, anomaly v1] on cpu")
                .contains("fraud champion AUC before the drift 0.912, after it - (bootstrap model on the drifted"
                        + " data: 0.700); prequential AUC of live scores -")
                .contains("dead letter e.g.: bad record at offset 7");
    }

    @Test
    void aMismatchIsNamed() {
        assertThat(print(summary(false), List.of())).contains(": NOT RECONCILED").doesNotContain("dead letter e.g.");
    }

    @Test
    void anAucThatIsNotANumberIsLeftOutOfTheJson() {
        assertThat(DemoSummary.finite(Double.NaN)).isNull();
        assertThat(DemoSummary.finite(0.5)).isEqualTo(0.5);
    }
}
