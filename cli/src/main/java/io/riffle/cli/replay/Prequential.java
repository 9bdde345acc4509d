package io.riffle.cli.replay;

import io.riffle.trainer.eval.Metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Prequential (test-then-train) evaluation of a replay: each event's score is compared with its
 * label, which the pipeline learns from only after scoring it. An event counts when it is labeled
 * and was scored by the model with a finite probability, by a version whose training window ended
 * before the event's time: an event that waited for the first model (the pipeline holds events
 * until one is loaded) is scored by a version that may have trained on its own label, and is left
 * out (counted as {@link #trainedOnCount()}). Windows are consecutive runs of events in file order.
 */
public final class Prequential {

    /** One window of the plot and the report. */
    public record Window(int index, long firstEvent, long lastEvent, MetricSet metrics, List<Integer> versions) { }

    /** One version that scored events. */
    public record Served(int version, long events, long firstEvent, long firstScoredAt) { }

    private final History history;
    private final EventOutcomes outcomes;
    private final double threshold;
    private final boolean[] counts;
    private long trainedOn;
    private long unlabeled;
    private long nonFinite;

    public Prequential(History history, EventOutcomes outcomes, double threshold) {
        this.history = history;
        this.outcomes = outcomes;
        this.threshold = threshold;
        int n = history.size();
        counts = new boolean[n];
        for (int i = 0; i < n; i++) {
            if (outcomes.state[i] != EventOutcomes.SCORED || outcomes.version[i] == 0) {
                continue;
            }
            if (history.label(history.events().get(i).id()) == null) {
                unlabeled++;
                continue;
            }
            if (!Float.isFinite(outcomes.probability[i])) {
                nonFinite++;
                continue;
            }
            EventOutcomes.VersionInfo v = outcomes.versions().get(outcomes.version[i]);
            if (v != null && v.trainingLastEventTime() != null && outcomes.eventTime[i] <= v.trainingLastEventTime()) {
                trainedOn++;
                continue;
            }
            counts[i] = true;
        }
    }

    /** Metrics over events {@code [from, to)} of the file. */
    public MetricSet over(long from, long to) {
        int a = (int) Math.max(0, from);
        int b = (int) Math.min(history.size(), to);
        int m = 0;
        for (int i = a; i < b; i++) {
            m += counts[i] ? 1 : 0;
        }
        float[] p = new float[m];
        int[] y = new int[m];
        int k = 0;
        long correct = 0;
        long positives = 0;
        for (int i = a; i < b; i++) {
            if (!counts[i]) {
                continue;
            }
            p[k] = outcomes.probability[i];
            y[k] = history.label(history.events().get(i).id());
            positives += y[k];
            correct += (p[k] >= threshold ? 1 : 0) == y[k] ? 1 : 0;
            k++;
        }
        if (m == 0) {
            return new MetricSet(Math.max(0, b - a), 0, 0, null, null, null, null);
        }
        return new MetricSet(b - a, m, positives, (double) correct / m, MetricSet.orNull(Metrics.rocAuc(p, y)),
                MetricSet.orNull(Metrics.logLoss(p, y)), MetricSet.orNull(Metrics.recallAtFpr(p, y, 0.01)));
    }

    /** Consecutive windows of {@code size} events. */
    public List<Window> windows(int size) {
        List<Window> out = new ArrayList<>();
        for (int start = 0, w = 0; start < history.size(); start += size, w++) {
            int end = Math.min(history.size(), start + size);
            TreeSet<Integer> served = new TreeSet<>();
            for (int i = start; i < end; i++) {
                if (outcomes.version[i] > 0) {
                    served.add(outcomes.version[i]);
                }
            }
            out.add(new Window(w, start, end - 1, over(start, end), List.copyOf(served)));
        }
        return out;
    }

    /** Each version that scored events: how many, the first in file order, and when it first scored one. */
    public List<Served> served() {
        Map<Integer, long[]> byVersion = new TreeMap<>();   // count, first index, first score time
        for (int i = 0; i < history.size(); i++) {
            int v = outcomes.version[i];
            if (v == 0) {
                continue;
            }
            long[] s = byVersion.computeIfAbsent(v, x -> new long[] {0, Long.MAX_VALUE, Long.MAX_VALUE});
            s[0]++;
            s[1] = Math.min(s[1], i);
            s[2] = Math.min(s[2], outcomes.scoreTime[i]);
        }
        List<Served> out = new ArrayList<>();
        byVersion.forEach((v, s) -> out.add(new Served(v, s[0], s[1], s[2])));
        return out;
    }

    /** Labeled events scored by a version whose training window reached their own time (left out). */
    public long trainedOnCount() {
        return trainedOn;
    }

    /** Scored events the labels file has no label for. */
    public long unlabeledCount() {
        return unlabeled;
    }

    /** Scored events whose probability was NaN or infinite (left out). */
    public long nonFiniteCount() {
        return nonFinite;
    }

    /** Events that count in the metrics. */
    public long evaluatedCount() {
        long c = 0;
        for (boolean b : counts) {
            c += b ? 1 : 0;
        }
        return c;
    }

    /** For the status line: metrics of the newest {@code size} events that were scored. */
    public MetricSet latest(int size) {
        int last = -1;
        for (int i = history.size() - 1; i >= 0; i--) {
            if (outcomes.state[i] == EventOutcomes.SCORED) {
                last = i;
                break;
            }
        }
        return last < 0 ? null : over(last + 1 - size, last + 1);
    }
}
