package io.riffle.trainer.eval;

import java.util.Arrays;

/**
 * Binary-classification metrics of scores (higher = more likely positive) against 0/1 labels.
 * Rank metrics treat equal scores as one threshold, so the order of tied rows never matters.
 * Scores must not be NaN.
 */
public final class Metrics {

    /** Probabilities are clipped to {@code [EPSILON, 1 - EPSILON]} before taking logs. */
    public static final double LOG_LOSS_EPSILON = 1e-7;

    private Metrics() {}

    /**
     * Area under the ROC curve via the Mann-Whitney statistic: the probability that a random
     * positive scores above a random negative, ties counting one half (average ranks). NaN when
     * only one class is present.
     */
    public static double rocAuc(float[] scores, int[] labels) {
        check(scores, labels);
        long positives = count(labels);
        long negatives = labels.length - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        long[] order = ascending(scores);
        double positiveRankSum = 0;
        int i = 0;
        while (i < order.length) {
            int j = groupEnd(order, scores, i);
            // Ranks i+1 .. j (1-based) share their average.
            double averageRank = (i + 1 + j) / 2.0;
            for (int k = i; k < j; k++) {
                if (labels[index(order[k])] == 1) {
                    positiveRankSum += averageRank;
                }
            }
            i = j;
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    /**
     * Average precision, the step-wise area under the precision-recall curve:
     * {@code AP = sum_k (R_k - R_{k-1}) * P_k} over the distinct scores from highest to lowest,
     * where {@code P_k} and {@code R_k} are precision and recall when every row scoring at least
     * the k-th distinct score is called positive (tied rows enter together). Same definition as
     * scikit-learn's {@code average_precision_score}; no interpolation. NaN without positives.
     */
    public static double prAuc(float[] scores, int[] labels) {
        check(scores, labels);
        long positives = count(labels);
        if (positives == 0) {
            return Double.NaN;
        }
        long[] order = ascending(scores);
        double ap = 0;
        long tp = 0;
        long predicted = 0;
        double previousRecall = 0;
        int end = order.length;
        while (end > 0) {
            int start = groupStart(order, scores, end);
            for (int k = start; k < end; k++) {
                tp += labels[index(order[k])];
            }
            predicted += end - start;
            double recall = (double) tp / positives;
            ap += (recall - previousRecall) * ((double) tp / predicted);
            previousRecall = recall;
            end = start;
        }
        return ap;
    }

    /** Mean negative log-likelihood of the labels, probabilities clipped at {@link #LOG_LOSS_EPSILON}. */
    public static double logLoss(float[] probabilities, int[] labels) {
        check(probabilities, labels);
        if (labels.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            double p = Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, probabilities[i]));
            sum -= labels[i] == 1 ? Math.log(p) : Math.log(1 - p);
        }
        return sum / labels.length;
    }

    /**
     * The highest recall (true-positive rate) over thresholds at the distinct scores whose
     * false-positive rate is at most {@code maxFpr} (0 if even the highest score exceeds it).
     * NaN when only one class is present.
     */
    public static double recallAtFpr(float[] scores, int[] labels, double maxFpr) {
        check(scores, labels);
        long positives = count(labels);
        long negatives = labels.length - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        long[] order = ascending(scores);
        long tp = 0;
        long fp = 0;
        double best = 0;
        int end = order.length;
        while (end > 0) {
            int start = groupStart(order, scores, end);
            for (int k = start; k < end; k++) {
                if (labels[index(order[k])] == 1) {
                    tp++;
                } else {
                    fp++;
                }
            }
            // FP only grows as the threshold falls, so the first violation ends the search.
            if ((double) fp / negatives > maxFpr) {
                break;
            }
            best = (double) tp / positives;
            end = start;
        }
        return best;
    }

    /**
     * F1 = 2TP / (2TP + FP + FN) when a row is called positive iff its score is at least
     * {@code threshold}; 0 when there are neither positives nor positive calls.
     */
    public static double f1At(float[] scores, int[] labels, double threshold) {
        check(scores, labels);
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean called = scores[i] >= threshold;
            if (labels[i] == 1) {
                if (called) {
                    tp++;
                } else {
                    fn++;
                }
            } else if (called) {
                fp++;
            }
        }
        long denominator = 2 * tp + fp + fn;
        return denominator == 0 ? 0.0 : 2.0 * tp / denominator;
    }

    /** All metrics at once; recall is taken at 1% false-positive rate, F1 at {@code threshold}. */
    public static Evaluation evaluate(float[] scores, int[] labels, double threshold) {
        check(scores, labels);
        long positives = count(labels);
        return new Evaluation(
                labels.length,
                labels.length == 0 ? 0.0 : (double) positives / labels.length,
                rocAuc(scores, labels),
                prAuc(scores, labels),
                logLoss(scores, labels),
                recallAtFpr(scores, labels, 0.01),
                f1At(scores, labels, threshold));
    }

    private static void check(float[] scores, int[] labels) {
        if (scores.length != labels.length) {
            throw new IllegalArgumentException("got " + scores.length + " scores for " + labels.length + " labels");
        }
        for (int i = 0; i < scores.length; i++) {
            if (Float.isNaN(scores[i])) {
                throw new IllegalArgumentException("score " + i + " is NaN");
            }
            if (labels[i] != 0 && labels[i] != 1) {
                throw new IllegalArgumentException("label " + i + " is " + labels[i] + "; labels must be 0 or 1");
            }
        }
    }

    private static long count(int[] labels) {
        long p = 0;
        for (int label : labels) {
            p += label;
        }
        return p;
    }

    /**
     * Row indices sorted by ascending score, packed as {@code (orderedScoreBits << 32) | index}
     * so one primitive sort does the work (a million rows in tens of milliseconds, no boxing).
     */
    private static long[] ascending(float[] scores) {
        long[] keys = new long[scores.length];
        for (int i = 0; i < scores.length; i++) {
            // -0.0 and 0.0 are equal scores; fold them before taking bits.
            int bits = Float.floatToIntBits(scores[i] + 0.0f);
            // Flip the magnitude of negatives so signed int order equals float order.
            int ordered = bits ^ ((bits >> 31) & 0x7fffffff);
            keys[i] = ((long) ordered << 32) | i;
        }
        Arrays.sort(keys);
        return keys;
    }

    private static int index(long key) {
        return (int) key;
    }

    /** End (exclusive) of the run of equal scores starting at {@code start}. */
    private static int groupEnd(long[] order, float[] scores, int start) {
        float s = scores[index(order[start])];
        int j = start + 1;
        while (j < order.length && scores[index(order[j])] == s) {
            j++;
        }
        return j;
    }

    /** Start of the run of equal scores ending (exclusive) at {@code end}. */
    private static int groupStart(long[] order, float[] scores, int end) {
        float s = scores[index(order[end - 1])];
        int i = end - 1;
        while (i > 0 && scores[index(order[i - 1])] == s) {
            i--;
        }
        return i;
    }
}
