package io.riffle.trainer.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Metrics of one model on one holdout. Rank metrics are NaN when the holdout has only one class;
 * {@code logLoss} is only meaningful for probabilities (binary kinds).
 */
public record Evaluation(long examples, double positiveRate, double rocAuc, double prAuc, double logLoss,
                         double recallAt1PctFpr, double f1) {

    /** Keyed as in {@code ModelVersion.metrics}, in a stable order. */
    public Map<String, Double> toMetrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("holdout_examples", (double) examples);
        m.put("holdout_positive_rate", positiveRate);
        m.put("roc_auc", rocAuc);
        m.put("pr_auc", prAuc);
        m.put("log_loss", logLoss);
        m.put("recall_at_1pct_fpr", recallAt1PctFpr);
        m.put("f1", f1);
        return m;
    }
}
