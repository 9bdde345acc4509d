package io.riffle.cli.demo;

import io.riffle.trainer.eval.Metrics;

/**
 * ROC-AUC of the demo's scores against boolean labels: the trainer's {@link Metrics#rocAuc}
 * (rank-sum, ties count half), adapted to the types the demo's examples carry.
 */
public final class RocAuc {

    private RocAuc() {}

    /** AUC of {@code scores} against {@code labels}; NaN when one class is missing. */
    public static double of(double[] scores, boolean[] labels) {
        float[] f = new float[scores.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) scores[i];
        }
        return of(f, labels);
    }

    public static double of(float[] scores, boolean[] labels) {
        int[] y = new int[labels.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels[i] ? 1 : 0;
        }
        return Metrics.rocAuc(scores, y);
    }
}
