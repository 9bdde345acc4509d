package io.riffle.modelops.features;

import io.riffle.modelops.spec.AggregateFeature.Function;

import java.util.Arrays;

/**
 * The merged statistics of one window at one event: the event count, and per aggregated input
 * {@link #STATS} doubles (sum, M2 = sum of squared deviations from the mean, min, max), and per
 * distinct-count input an OR-ed {@link DistinctSketch}. Buckets are merged in with Chan et al.'s
 * pairwise update, exact in real arithmetic and far steadier in doubles than sum of squares minus
 * squared sum. A work object: one per window in each thread's scratch, cleared per event.
 */
final class WindowStats {

    /** Doubles per aggregated input: sum, M2, min, max (the layout of a bucket in the entity state too). */
    static final int STATS = 4;

    long n;
    final double[] stats;
    final long[] sketch;
    /** The window's merged count-by counts, every input's columns side by side (see {@code ColumnPlan.Categories#offset}). */
    final double[] categories;
    private final int inputs;

    WindowStats(int inputs, int distinct) {
        this(inputs, distinct, 0);
    }

    WindowStats(int inputs, int distinct, int categoryColumns) {
        this.inputs = inputs;
        categories = new double[categoryColumns];
        stats = new double[inputs * STATS];
        sketch = new long[distinct * DistinctSketch.WORDS];
    }

    void clear() {
        n = 0;
        Arrays.fill(stats, 0.0);
        Arrays.fill(sketch, 0L);
        Arrays.fill(categories, 0.0);
    }

    /**
     * Merges in {@code nb} events whose statistics are at {@code src[off]}, laid out as
     * {@link #stats} but each double as its raw bits (as an entity state holds them).
     */
    void merge(long nb, long[] src, int off) {
        long na = n;
        long total = na + nb;
        for (int i = 0; i < inputs; i++) {
            int a = i * STATS;
            int b = off + i * STATS;
            double sum = Double.longBitsToDouble(src[b]);
            double m2 = Double.longBitsToDouble(src[b + 1]);
            double min = Double.longBitsToDouble(src[b + 2]);
            double max = Double.longBitsToDouble(src[b + 3]);
            if (na == 0) {
                stats[a] = sum;
                stats[a + 1] = m2;
                stats[a + 2] = min;
                stats[a + 3] = max;
            } else {
                double delta = sum / nb - stats[a] / na;
                stats[a + 1] += m2 + delta * delta * ((double) na * nb / total);
                stats[a] += sum;
                stats[a + 2] = Math.min(stats[a + 2], min);
                stats[a + 3] = Math.max(stats[a + 3], max);
            }
        }
        n = total;
    }

    /** {@code f} of aggregated input {@code input} (for {@link Function#DISTINCT}: of distinct-count input {@code input}). */
    double value(Function f, int input) {
        int i = input * STATS;
        return switch (f) {
            case COUNT -> n;
            case SUM -> stats[i];
            case MEAN -> stats[i] / n;
            case STD -> Math.sqrt(Math.max(0.0, stats[i + 1] / n));
            case MIN -> stats[i + 2];
            case MAX -> stats[i + 3];
            case DISTINCT -> DistinctSketch.estimate(sketch, input * DistinctSketch.WORDS);
            case TIME_SINCE_PREVIOUS, SESSION_EVENTS, SESSION_DURATION, COUNT_BY ->
                    throw new IllegalStateException(f + " is not read by value(): see FeatureExtractor");
        };
    }
}
