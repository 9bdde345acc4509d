package io.riffle.trainer.drift;

/**
 * Where in a sequence its mean most likely rose: the split into an older part W0 and a newer part
 * W1 that maximises {@code n0·n1/n · (mean(W1) − mean(W0))²} among splits whose newer part has
 * the higher mean. For a single shift of the mean this is the least-squares (and, for normal
 * errors, the maximum-likelihood) estimate of the change point (D. V. Hinkley, "Inference about
 * the change-point in a sequence of random variables", Biometrika 57, 1970).
 *
 * <p>{@link Adwin} answers whether the mean changed; its first cut drops only as much of the
 * older part as its bound needs, so right after a detection it still keeps much of what came
 * before the change. This answers where.
 */
public final class ChangePoint {
    private ChangePoint() {
    }

    /**
     * How many of the newest of {@code values} (oldest first) come after the most likely rise of
     * their mean, with at least {@code minSide} on each side; {@code values.length} when no split
     * has a higher newer mean.
     */
    public static int newestAfterRise(double[] values, int minSide) {
        int n = values.length;
        if (minSide < 1) {
            throw new IllegalArgumentException("minSide must be at least 1, got " + minSide);
        }
        double total = 0;
        for (double v : values) {
            total += v;
        }
        double best = 0;
        int bestNewer = n;
        double older = 0;
        for (int split = 1; split < n; split++) {
            older += values[split - 1];
            int n0 = split;
            int n1 = n - split;
            if (n0 < minSide || n1 < minSide) {
                continue;
            }
            double rise = (total - older) / n1 - older / n0;
            if (rise <= 0) {
                continue;
            }
            double statistic = (double) n0 * n1 / n * rise * rise;
            if (statistic > best) {
                best = statistic;
                bestNewer = n1;
            }
        }
        return bestNewer;
    }
}
