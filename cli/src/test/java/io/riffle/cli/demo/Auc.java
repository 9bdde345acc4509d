package io.riffle.cli.demo;

import java.util.Arrays;

/** ROC-AUC per fraud pattern and recall, for the demo's model tests. */
final class Auc {
    private Auc() {}

    /** AUC of {@code pattern}'s events against the genuine payments (other fraud left out). */
    static double ofPattern(float[] scores, LabeledExamples examples, FraudPattern pattern) {
        double[] s = new double[scores.length];
        boolean[] y = new boolean[scores.length];
        int k = 0;
        for (int i = 0; i < scores.length; i++) {
            FraudPattern p = examples.patterns()[i];
            if (p == pattern || p == FraudPattern.NONE) {
                s[k] = scores[i];
                y[k++] = p == pattern;
            }
        }
        return RocAuc.of(Arrays.copyOf(s, k), Arrays.copyOf(y, k));
    }

    /** Share of {@code pattern}'s events scoring at least {@code threshold}. */
    static double recall(float[] scores, LabeledExamples examples, FraudPattern pattern, double threshold) {
        int hits = 0;
        int n = 0;
        for (int i = 0; i < scores.length; i++) {
            if (examples.patterns()[i] == pattern) {
                n++;
                hits += scores[i] >= threshold ? 1 : 0;
            }
        }
        return (double) hits / n;
    }
}
