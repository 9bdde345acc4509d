package io.riffle.trainer.eval;

import java.util.HashMap;
import java.util.Map;

/**
 * Ranking quality of a multiclass model on a holdout where each row has one true class: recall@k
 * (the share of rows whose class is among the k best scored; with one relevant class per row it
 * is the hit rate), NDCG@k ({@code 1 / log2(rank + 1)} when the class ranks within k, else 0; the
 * ideal DCG of one relevant class is 1), MRR (mean of {@code 1 / rank} over the full ranking) and
 * catalogue coverage (the share of the K classes in at least one row's top k).
 *
 * <p>Rows are ranked by score, higher first, ties by the lower column, NaN last: the same order the
 * top-k lists are taken in. A row whose true class is not a column of the model ({@code -1}) is a
 * miss, counted in every mean.
 */
public final class RankingMetrics {

    /** The figures of one evaluation; {@code rows} rows, {@code classes} columns, top {@code k}. */
    public record Result(double recallAtK, double ndcgAtK, double mrr, double coverage, int k, int classes, int rows) {

        /** The published metrics' keys. */
        public Map<String, Double> toMetrics() {
            Map<String, Double> m = new HashMap<>();
            m.put("recall_at_k", recallAtK);
            m.put("ndcg_at_k", ndcgAtK);
            m.put("mrr", mrr);
            m.put("coverage", coverage);
            m.put("k", (double) k);
            m.put("classes", (double) classes);
            m.put("holdout_examples", (double) rows);
            return m;
        }
    }

    private RankingMetrics() {}

    /**
     * Evaluates {@code scores} (row-major {@code rows x classes}) against {@code truth} (each row's
     * true column, -1 when the model has none for it) at the top {@code k}.
     */
    public static Result evaluate(float[] scores, int rows, int classes, int[] truth, int k) {
        if ((long) rows * classes != scores.length || truth.length != rows) {
            throw new IllegalArgumentException(rows + " rows x " + classes + " classes need as many scores and "
                    + rows + " truths, got " + scores.length + " and " + truth.length);
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        int kk = Math.min(k, classes);
        boolean[] covered = new boolean[classes];
        int[] top = new int[kk];
        double hits = 0;
        double dcg = 0;
        double reciprocal = 0;
        for (int r = 0; r < rows; r++) {
            int o = r * classes;
            int filled = topK(scores, o, classes, top);
            for (int i = 0; i < filled; i++) {
                covered[top[i]] = true;
            }
            int t = truth[r];
            if (t < 0 || t >= classes) {
                continue;
            }
            int rank = rank(scores, o, classes, t);
            reciprocal += 1.0 / rank;
            if (rank <= kk) {
                hits++;
                dcg += 1.0 / (Math.log(rank + 1) / Math.log(2));
            }
        }
        int coveredCount = 0;
        for (boolean c : covered) {
            coveredCount += c ? 1 : 0;
        }
        double n = Math.max(1, rows);
        return new Result(hits / n, dcg / n, reciprocal / n,
                classes == 0 ? 0 : coveredCount / (double) classes, k, classes, rows);
    }

    /** 1-based position of column {@code t} in the row's ranking. */
    static int rank(float[] scores, int offset, int classes, int t) {
        float st = scores[offset + t];
        int rank = 1;
        for (int j = 0; j < classes; j++) {
            if (j != t && before(scores[offset + j], j, st, t)) {
                rank++;
            }
        }
        return rank;
    }

    /**
     * The row's best {@code top.length} columns, best first, into {@code top}; returns how many
     * (fewer only when the row has fewer columns).
     */
    public static int topK(float[] scores, int offset, int classes, int[] top) {
        int filled = 0;
        for (int j = 0; j < classes; j++) {
            float s = scores[offset + j];
            if (filled == top.length && !before(s, j, scores[offset + top[filled - 1]], top[filled - 1])) {
                continue;
            }
            int at = Math.min(filled, top.length - 1);
            while (at > 0 && before(s, j, scores[offset + top[at - 1]], top[at - 1])) {
                top[at] = top[at - 1];
                at--;
            }
            top[at] = j;
            filled = Math.min(filled + 1, top.length);
        }
        return filled;
    }

    /** Whether (score a, column ia) ranks before (b, ib): higher score first, NaN last, ties by column. */
    private static boolean before(float a, int ia, float b, int ib) {
        boolean aNaN = Float.isNaN(a);
        boolean bNaN = Float.isNaN(b);
        if (aNaN && bNaN) {
            return ia < ib;
        }
        if (aNaN || bNaN) {
            return bNaN;
        }
        return a > b || (a == b && ia < ib);
    }
}
