package io.riffle.cli.replay;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Prequential metrics of a stretch of the replay. A metric that cannot be computed (no evaluated
 * event, or one class only for the rank metrics) is null.
 *
 * @param events events of the stretch
 * @param evaluated events that count: labeled, scored by the model, by a version not trained on them
 * @param positives evaluated events labeled 1
 * @param accuracy share of evaluated events whose probability is on the label's side of the threshold
 * @param rocAuc area under the ROC curve
 * @param logLoss mean negative log-likelihood (probabilities clipped at 1e-7)
 * @param recallAt1PctFpr the highest recall at a false-positive rate of at most 1%
 */
public record MetricSet(long events, long evaluated, long positives, Double accuracy, Double rocAuc, Double logLoss,
                        @JsonProperty("recall_at_1pct_fpr") Double recallAt1PctFpr) {

    static Double orNull(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
