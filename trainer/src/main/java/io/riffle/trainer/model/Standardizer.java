package io.riffle.trainer.model;

import io.riffle.trainer.data.Dataset;

/**
 * Per-feature mean and standard deviation learned on a training set; {@code z = (x - mean) / std}.
 * A (near-)constant feature — one whose spread in the training window is below 1% of its mean's
 * magnitude, or below {@link #CONSTANT_ABSOLUTE_STD} — gets std 1, so it stays near 0 in training
 * and a value seen only at serving time moves the output moderately instead of by a huge factor.
 * A slowly drifting feature (hour of day over a few-minute window) would otherwise be divided by
 * its tiny window spread and flag every later event as an anomaly.
 *
 * <p>The test is relative, so it does not depend on a feature's unit: an absolute floor of 0.01
 * (the rule before) took 5 of the 30 features of the Wisconsin breast cancer set (standard errors
 * of about 0.003 to 0.009 around means of 0.004 to 0.06, real signal) for constants.
 */
final class Standardizer {

    /** Relative spread below which a feature counts as constant in the training window. */
    private static final double CONSTANT_RELATIVE_STD = 1e-2;
    /** Spread below which a feature counts as constant whatever its mean: float noise at unit scale. */
    private static final double CONSTANT_ABSOLUTE_STD = 1e-6;

    final double[] mean;
    final double[] std;

    private Standardizer(double[] mean, double[] std) {
        this.mean = mean;
        this.std = std;
    }

    /** Learns mean/std from every row; the dense kinds need finite values, so any other is an error. */
    static Standardizer fit(Dataset data, String kind) {
        int d = data.features();
        int n = data.rows();
        float[] x = data.x();
        double[] mean = new double[d];
        for (int r = 0; r < n; r++) {
            int o = r * d;
            for (int i = 0; i < d; i++) {
                float v = x[o + i];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException(kind + " needs finite feature values, but row " + r
                            + " feature " + i + " is " + v + " (only gbdt handles missing values)");
                }
                mean[i] += v;
            }
        }
        for (int i = 0; i < d; i++) {
            mean[i] /= Math.max(1, n);
        }
        double[] var = new double[d];
        for (int r = 0; r < n; r++) {
            int o = r * d;
            for (int i = 0; i < d; i++) {
                double c = x[o + i] - mean[i];
                var[i] += c * c;
            }
        }
        double[] std = new double[d];
        for (int i = 0; i < d; i++) {
            double s = Math.sqrt(var[i] / Math.max(1, n));
            boolean constant = s < CONSTANT_ABSOLUTE_STD || s < CONSTANT_RELATIVE_STD * Math.abs(mean[i]);
            std[i] = constant ? 1.0 : s;
        }
        return new Standardizer(mean, std);
    }

    /** Writes the standardised rows {@code rowIds[from..from+count)} of {@code data} into {@code out}. */
    void fill(Dataset data, int[] rowIds, int from, int count, double[] out) {
        int d = data.features();
        float[] x = data.x();
        for (int k = 0; k < count; k++) {
            int src = rowIds[from + k] * d;
            int dst = k * d;
            for (int i = 0; i < d; i++) {
                out[dst + i] = (x[src + i] - mean[i]) / std[i];
            }
        }
    }

    static void requireFinite(Dataset data, String kind, String which) {
        float[] x = data.x();
        for (int k = 0; k < x.length; k++) {
            if (!Float.isFinite(x[k])) {
                throw new IllegalArgumentException(kind + " needs finite feature values, but " + which + " row "
                        + k / data.features() + " feature " + k % data.features() + " is " + x[k]
                        + " (only gbdt handles missing values)");
            }
        }
    }
}
