package io.riffle.modelops.decision;

import io.riffle.schemas.FeatureStats;
import io.riffle.schemas.ModelVersion;

import java.util.List;

/**
 * Names the features behind a flagged record: the features whose values are furthest, in
 * standard deviations, from the mean of the data the model was trained on
 * ({@link ModelVersion#getFeatureStats()}). It does not attribute the model's output — a deep
 * model may weigh a feature that sits close to its mean — but it is model-agnostic, costs a few
 * dozen multiplications per flagged record, and points the reviewer at what is unusual about it.
 *
 * <p>Codes look like {@code fraud:v3:feature:amount_log1p=9.210:+4.3sd}. Features constant in
 * training (standard deviation 0) are skipped: any deviation from a constant would otherwise be
 * infinitely unusual. A version without stats or names gives no feature codes.
 */
public final class FeatureReasons {

    /** Features named per flagged record and model. */
    public static final int TOP = 3;
    private static final FeatureReasons NONE = new FeatureReasons(null, null, null, null);

    private final String prefix;
    private final String[] names;
    private final float[] mean;
    /** 1 / std, or 0 for features constant in training. */
    private final float[] inverseStd;

    private FeatureReasons(String prefix, String[] names, float[] mean, float[] inverseStd) {
        this.prefix = prefix;
        this.names = names;
        this.mean = mean;
        this.inverseStd = inverseStd;
    }

    /** The reasons {@code model} can give: none when it carries no stats or no feature names. */
    public static FeatureReasons of(ModelVersion model) {
        FeatureStats stats = model.getFeatureStats();
        List<? extends CharSequence> names = model.getFeatureNames();
        int n = model.getFeatureCount();
        if (stats == null || names == null || names.size() != n || stats.getMean().size() != n
                || stats.getStd().size() != n) {
            return NONE;
        }
        float[] mean = new float[n];
        float[] inverseStd = new float[n];
        String[] featureNames = new String[n];
        for (int i = 0; i < n; i++) {
            mean[i] = stats.getMean().get(i);
            float std = stats.getStd().get(i);
            inverseStd[i] = std > 0 && Float.isFinite(std) ? 1f / std : 0f;
            featureNames[i] = names.get(i).toString();
        }
        return new FeatureReasons(model.getName() + ":v" + model.getVersion() + ":feature:", featureNames, mean,
                inverseStd);
    }

    /** Whether this model can name features at all. */
    public boolean available() {
        return names != null;
    }

    /**
     * Adds up to {@link #TOP} codes for the row of {@code width} features starting at
     * {@code offset} in {@code values}, most unusual first.
     */
    public void explain(float[] values, int offset, List<String> codes) {
        if (names == null) {
            return;
        }
        int[] best = new int[TOP];
        float[] bestZ = new float[TOP];
        int found = 0;
        for (int i = 0; i < names.length; i++) {
            if (inverseStd[i] == 0f) {
                continue;
            }
            float z = (values[offset + i] - mean[i]) * inverseStd[i];
            float a = Math.abs(z);
            if (!(a > 0f)) {
                continue;
            }
            int at = Math.min(found, TOP);
            while (at > 0 && Math.abs(bestZ[at - 1]) < a) {
                at--;
            }
            if (at < TOP) {
                int last = Math.min(found, TOP - 1);
                for (int k = last; k > at; k--) {
                    best[k] = best[k - 1];
                    bestZ[k] = bestZ[k - 1];
                }
                best[at] = i;
                bestZ[at] = z;
                found++;
            }
        }
        for (int k = 0; k < Math.min(found, TOP); k++) {
            int i = best[k];
            StringBuilder code = new StringBuilder(prefix.length() + names[i].length() + 16).append(prefix)
                    .append(names[i]).append('=');
            DecisionPolicy.fixed(code, values[offset + i], 3, false).append(':');
            codes.add(DecisionPolicy.fixed(code, bestZ[k], 1, true).append("sd").toString());
        }
    }
}
