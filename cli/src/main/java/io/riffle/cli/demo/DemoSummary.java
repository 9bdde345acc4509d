package io.riffle.cli.demo;

import io.riffle.modelops.spec.PipelineSpec;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's end: the totals of the run as an ordered map (the keys of {@code --summary-json},
 * which CI and the README read) and the summary lines printed from it.
 */
final class DemoSummary {
    private DemoSummary() {}

    /** What came in and out, the latency and the models served; the command adds its settings and the trainers'. */
    static Map<String, Object> totals(PipelineSpec pipeline, DemoTraffic traffic, PipelineMonitor monitor,
                                      boolean reconciled) {
        Histogram total = monitor.totalLatency();
        Histogram visible = monitor.totalVisibleLatency();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("pipeline", pipeline.file().toString());
        s.put("features", pipeline.features().count());
        s.put("feature_spec_hash", pipeline.features().hash());
        s.put("events_in", traffic.eventsIn());
        s.put("scores_out", monitor.scoresOut.get());
        s.put("dead_letters", monitor.deadLettersOut.get());
        s.put("reconciled", reconciled);
        s.put("corrupt_events_sent", traffic.corruptIn());
        s.put("labels_sent", traffic.labelsIn());
        s.put("alerts", monitor.alerts.get());
        s.put("fraud_events_scored", monitor.fraudScored.get());
        s.put("fraud_events_alerted", monitor.fraudAlerted.get());
        s.put("model_versions_loaded", monitor.versionsLoaded().size());
        s.put("model_versions", List.copyOf(monitor.versionsLoaded()));
        s.put("models_rejected", monitor.rejected.get());
        s.put("device", String.join(",", monitor.devices()));
        s.put("latency_ms_p50", total.getValueAtPercentile(50));
        s.put("latency_ms_p99", total.getValueAtPercentile(99));
        s.put("latency_ms_max", total.getMaxValue());
        s.put("visible_latency_ms_p50", visible.getValueAtPercentile(50));
        s.put("visible_latency_ms_p99", visible.getValueAtPercentile(99));
        return s;
    }

    /** The summary lines of {@code s} (a {@link #totals} map the command completed), then a few dead letters. */
    static void print(PrintStream out, Map<String, Object> s, List<String> deadLetterSamples) {
        out.println();
        out.printf(Locale.ROOT, "events in %,d = scores %,d + dead letters %,d : %s%n", s.get("events_in"),
                s.get("scores_out"), s.get("dead_letters"),
                Boolean.TRUE.equals(s.get("reconciled")) ? "every event accounted for" : "NOT RECONCILED");
        out.printf(Locale.ROOT, "latency from ingestion to score: p50 %s ms, p99 %s ms, max %s ms "
                        + "(readable by read_committed consumers: p50 %s ms, p99 %s ms)%n",
                s.get("latency_ms_p50"), s.get("latency_ms_p99"), s.get("latency_ms_max"),
                s.get("visible_latency_ms_p50"), s.get("visible_latency_ms_p99"));
        out.printf(Locale.ROOT, "fraud: %,d of %,d fraudulent events alerted; %,d alerts in all%n",
                s.get("fraud_events_alerted"), s.get("fraud_events_scored"), s.get("alerts"));
        out.println("model versions loaded: " + s.get("model_versions") + " on " + s.get("device"));
        out.printf(Locale.ROOT, "trainers: %s versions published in %s rounds; fraud champion AUC before the drift %s, "
                        + "after it %s (bootstrap model on the drifted data: %s); prequential AUC of live scores %s%n",
                s.get("model_versions_published"), s.get("trainer_rounds"), fmt(s.get("champion_auc_before_drift")),
                fmt(s.get("champion_auc_after_drift")), fmt(s.get("bootstrap_auc_after_drift")), fmt(s.get("prequential_auc")));
        if (s.get("drift_at_seconds") != null) {
            out.printf(Locale.ROOT, "drift at %ss: detected by the fraud trainer after %s s, first champion after it %s s%n",
                    s.get("drift_at_seconds"), fmt(s.get("drift_detected_after_seconds")),
                    fmt(s.get("first_champion_after_drift_seconds")));
        }
        for (String sample : deadLetterSamples) {
            out.println("dead letter e.g.: " + sample);
        }
    }

    /** A value for the JSON: null instead of NaN or infinity (no AUC yet). */
    static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }

    static String fmt(Object auc) {
        return auc instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : "-";
    }
}
