package io.riffle.dashboard;

import org.HdrHistogram.Histogram;

/**
 * Counts and latency histograms per wall-clock second over the last {@code capacity} seconds: the
 * rates and percentiles the page charts. Seconds older than the window are dropped as time moves.
 */
final class RollingSeconds {
    private final int capacity;
    private final long[] second;
    private final long[][] counts;
    private final Histogram[] latency;
    private final int series;

    RollingSeconds(int capacity, int series) {
        this.capacity = capacity;
        this.series = series;
        this.second = new long[capacity];
        this.counts = new long[capacity][series];
        this.latency = new Histogram[capacity];
        java.util.Arrays.fill(second, Long.MIN_VALUE);
    }

    private int slot(long epochSecond) {
        int i = (int) Math.floorMod(epochSecond, capacity);
        if (second[i] != epochSecond) {
            second[i] = epochSecond;
            java.util.Arrays.fill(counts[i], 0);
            if (latency[i] != null) {
                latency[i].reset();
            }
        }
        return i;
    }

    /** Adds {@code n} to series {@code s} at the second of {@code epochMillis}, if still in the window. */
    void add(int s, long epochMillis, long n, long nowMillis) {
        long sec = Math.floorDiv(epochMillis, 1000);
        long now = Math.floorDiv(nowMillis, 1000);
        if (sec <= now - capacity || sec > now + 5) {
            return;
        }
        counts[slot(sec)][s] += n;
    }

    void latency(long epochMillis, long latencyMs, long nowMillis) {
        long sec = Math.floorDiv(epochMillis, 1000);
        long now = Math.floorDiv(nowMillis, 1000);
        if (sec <= now - capacity || sec > now + 5) {
            return;
        }
        int i = slot(sec);
        if (latency[i] == null) {
            latency[i] = new Histogram(3_600_000L, 2);
        }
        latency[i].recordValue(Math.max(0, Math.min(latencyMs, 3_600_000L)));
    }

    /** Series {@code s} at {@code epochSecond} (0 when that second holds nothing). */
    long count(int s, long epochSecond) {
        int i = (int) Math.floorMod(epochSecond, capacity);
        return second[i] == epochSecond ? counts[i][s] : 0;
    }

    /** Sum of series {@code s} over the {@code n} whole seconds before {@code nowSecond}. */
    long sum(int s, long nowSecond, int n) {
        long total = 0;
        for (long t = nowSecond - n; t < nowSecond; t++) {
            total += count(s, t);
        }
        return total;
    }

    /** Latency percentile at {@code epochSecond}, or -1 when nothing was recorded. */
    long percentile(long epochSecond, double p) {
        int i = (int) Math.floorMod(epochSecond, capacity);
        Histogram h = second[i] == epochSecond ? latency[i] : null;
        return h == null || h.getTotalCount() == 0 ? -1 : h.getValueAtPercentile(p);
    }

    /** Latency percentiles over the {@code n} whole seconds before {@code nowSecond}; null when empty. */
    long[] percentiles(long nowSecond, int n, double... ps) {
        Histogram merged = new Histogram(3_600_000L, 2);
        for (long t = nowSecond - n; t < nowSecond; t++) {
            int i = (int) Math.floorMod(t, capacity);
            if (second[i] == t && latency[i] != null) {
                merged.add(latency[i]);
            }
        }
        if (merged.getTotalCount() == 0) {
            return null;
        }
        long[] out = new long[ps.length];
        for (int k = 0; k < ps.length; k++) {
            out[k] = merged.getValueAtPercentile(ps[k]);
        }
        return out;
    }

    int series() {
        return series;
    }
}
