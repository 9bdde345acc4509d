package io.riffle.dashboard;

import io.riffle.modelops.registry.ScoreHistogram;

/**
 * Score histograms over [0,1] and the population stability index between two of them:
 * PSI = sum over bins of (live - reference) * ln(live / reference), with empty bins floored at
 * 1e-4 so one empty bin does not make it infinite. Below 0.1 is usually read as stable, 0.1-0.2
 * as a moderate shift, above 0.2 as significant.
 */
final class Psi {
    static final int BINS = ScoreHistogram.BINS;
    private static final double FLOOR = 1e-4;

    private Psi() {}

    /** The bin of {@code score}, as the trainer binned its training scores; NaN in the first. */
    static int bin(double score) {
        return Double.isNaN(score) ? 0 : ScoreHistogram.bin(score);
    }

    /** Fractions of {@code counts} (summing to 1), or null when all are 0. */
    static double[] fractions(long[] counts) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return null;
        }
        double[] f = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            f[i] = counts[i] / (double) total;
        }
        return f;
    }

    static double psi(double[] live, double[] reference) {
        double sum = 0;
        for (int i = 0; i < live.length; i++) {
            double a = Math.max(FLOOR, live[i]);
            double e = Math.max(FLOOR, reference[i]);
            sum += (a - e) * Math.log(a / e);
        }
        return sum;
    }

    /**
     * The training-score histogram a model version was published with (metrics
     * {@code score_hist_00} .. {@code score_hist_19}), normalised; null when it has none.
     */
    static double[] reference(java.util.Map<String, Double> metrics) {
        double[] ref = new double[BINS];
        double total = 0;
        for (int i = 0; i < BINS; i++) {
            Double v = metrics.get(ScoreHistogram.key(i));
            if (v == null || !Double.isFinite(v) || v < 0) {
                return null;
            }
            ref[i] = v;
            total += v;
        }
        if (!(total > 0)) {
            return null;
        }
        for (int i = 0; i < BINS; i++) {
            ref[i] /= total;
        }
        return ref;
    }
}
