package io.riffle.modelops.registry;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A model's scores on its training slice in {@link #BINS} equal-width bins over [0, 1], carried in
 * a published version's metrics as {@code score_hist_00} .. {@code score_hist_19} (counts). A
 * dashboard ({@code riffle dashboard}) compares the live scores' distribution with it (PSI). Scores below 0 count in the
 * first bin, above 1 in the last; NaN and infinite scores are not counted.
 */
public final class ScoreHistogram {
    public static final int BINS = 20;
    /** The metric key prefix; the bin index follows in two digits. */
    public static final String PREFIX = "score_hist_";

    private ScoreHistogram() {}

    /** The counts per bin. */
    public static long[] counts(float[] scores) {
        long[] counts = new long[BINS];
        for (float s : scores) {
            if (Float.isFinite(s)) {
                counts[bin(s)]++;
            }
        }
        return counts;
    }

    /** The counts per bin. */
    public static long[] counts(double[] scores) {
        long[] counts = new long[BINS];
        for (double s : scores) {
            if (Double.isFinite(s)) {
                counts[bin(s)]++;
            }
        }
        return counts;
    }

    /** The bin of a finite score: [k/20, (k+1)/20), the last bin closed at 1. */
    public static int bin(double score) {
        int b = (int) Math.floor(score * BINS);
        return Math.max(0, Math.min(BINS - 1, b));
    }

    /** The metric key of bin {@code k}: {@code score_hist_07}. */
    public static String key(int k) {
        return PREFIX + String.format(Locale.ROOT, "%02d", k);
    }

    /** {@code score_hist_00} .. {@code score_hist_19} and their counts, in bin order. */
    public static Map<String, Double> metrics(float[] scores) {
        return metrics(counts(scores));
    }

    /** {@code score_hist_00} .. {@code score_hist_19} of double scores. */
    public static Map<String, Double> metrics(double[] scores) {
        return metrics(counts(scores));
    }

    private static Map<String, Double> metrics(long[] counts) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int k = 0; k < BINS; k++) {
            m.put(key(k), (double) counts[k]);
        }
        return m;
    }
}
