package io.riffle.dashboard;

/**
 * What one model version's live scores did against the labels that arrived: the confusion matrix
 * at the version's review threshold (a score at or above it flags the event), and the newest
 * (score, label) pairs for a live ROC-AUC.
 */
final class BinaryOutcomes {
    private final double threshold;
    private final float[] scores;
    private final boolean[] positive;
    private int next;
    private int size;
    long tp;
    long fp;
    long tn;
    long fn;

    BinaryOutcomes(double threshold, int capacity) {
        this.threshold = threshold;
        this.scores = new float[capacity];
        this.positive = new boolean[capacity];
    }

    void add(float score, boolean isPositive) {
        boolean flagged = score >= threshold;
        if (flagged && isPositive) {
            tp++;
        } else if (flagged) {
            fp++;
        } else if (isPositive) {
            fn++;
        } else {
            tn++;
        }
        scores[next] = score;
        positive[next] = isPositive;
        next = (next + 1) % scores.length;
        size = Math.min(size + 1, scores.length);
    }

    long labelled() {
        return tp + fp + tn + fn;
    }

    double threshold() {
        return threshold;
    }

    /** ROC-AUC of the newest pairs (ties count half), NaN without both classes. */
    double auc() {
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(scores[a], scores[b]));
        long pos = 0;
        long neg = 0;
        double rankSum = 0;
        int i = 0;
        while (i < size) {
            int j = i;
            while (j + 1 < size && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double avgRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (positive[order[k]]) {
                    rankSum += avgRank;
                    pos++;
                } else {
                    neg++;
                }
            }
            i = j + 1;
        }
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    double precision() {
        return tp + fp == 0 ? Double.NaN : tp / (double) (tp + fp);
    }

    double recall() {
        return tp + fn == 0 ? Double.NaN : tp / (double) (tp + fn);
    }

    double f1() {
        double p = precision();
        double r = recall();
        return Double.isNaN(p) || Double.isNaN(r) || p + r == 0 ? Double.NaN : 2 * p * r / (p + r);
    }
}
