package io.riffle.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each expectation is worked out by hand in the comment above it. */
class MetricsTest {

    private static final float[] SCORES = {0.1f, 0.4f, 0.35f, 0.8f};
    private static final int[] LABELS = {0, 0, 1, 1};
    private static final double EPS = 1e-9;

    @Test
    void rocAucCountsOrderedPairs() {
        // Pairs (positive, negative): (0.35,0.1) ok, (0.35,0.4) wrong, (0.8,0.1) ok, (0.8,0.4) ok -> 3/4.
        assertThat(Metrics.rocAuc(SCORES, LABELS)).isCloseTo(0.75, offset(EPS));
    }

    @Test
    void rocAucGivesTiesHalfCredit() {
        // Positives {0.5, 0.9}, negatives {0.5, 0.2}: (0.5,0.5) tie = 0.5, the other three pairs 1 -> 3.5/4.
        assertThat(Metrics.rocAuc(new float[] {0.5f, 0.5f, 0.2f, 0.9f}, new int[] {1, 0, 0, 1}))
                .isCloseTo(0.875, offset(EPS));
        // Everything tied: no ranking information at all -> 0.5.
        assertThat(Metrics.rocAuc(new float[] {0.3f, 0.3f, 0.3f}, new int[] {1, 0, 0})).isCloseTo(0.5, offset(EPS));
        // One class only: undefined.
        assertThat(Metrics.rocAuc(new float[] {0.3f, 0.7f}, new int[] {0, 0})).isNaN();
    }

    @Test
    void prAucIsStepwiseAveragePrecision() {
        // Descending: 0.8 (pos): P=1/1, R=1/2 -> +0.5*1; 0.4 (neg): R unchanged -> +0;
        // 0.35 (pos): P=2/3, R=2/2 -> +0.5*2/3; 0.1 (neg): +0. AP = 0.5 + 1/3 = 0.8333.
        assertThat(Metrics.prAuc(SCORES, LABELS)).isCloseTo(0.5 + 1.0 / 3, offset(EPS));
    }

    @Test
    void prAucTakesTiedRowsTogether() {
        // 0.9 (neg): R=0 -> +0; tie at 0.5 {pos, neg} enters at once: P=1/3, R=1 -> +1*1/3.
        // Taking the tied positive first would give 0.5; the tied group must not depend on order.
        assertThat(Metrics.prAuc(new float[] {0.9f, 0.5f, 0.5f}, new int[] {0, 1, 0})).isCloseTo(1.0 / 3, offset(EPS));
        assertThat(Metrics.prAuc(new float[] {0.9f, 0.5f, 0.5f}, new int[] {0, 0, 1})).isCloseTo(1.0 / 3, offset(EPS));
    }

    @Test
    void logLossAveragesNegativeLogLikelihoodWithClipping() {
        // -(ln 0.9 + ln 0.6 + ln 0.35 + ln 0.8) / 4 = (0.1053605 + 0.5108256 + 1.0498221 + 0.2231436) / 4.
        assertThat(Metrics.logLoss(SCORES, LABELS)).isCloseTo(1.8891518 / 4, offset(1e-6));
        // p = 0 for a positive is clipped to 1e-7: -ln(1e-7) = 16.118; p = 1 for a positive costs ~1e-7.
        assertThat(Metrics.logLoss(new float[] {0f}, new int[] {1})).isCloseTo(16.1180957, offset(1e-6));
        assertThat(Metrics.logLoss(new float[] {1f}, new int[] {1})).isCloseTo(1e-7, offset(1e-9));
    }

    @Test
    void recallAtFprTakesTheBestThresholdWithinBudget() {
        // Threshold 0.8: FP=0, recall 1/2. Threshold 0.4: FPR = 1/2 exceeds 0 -> 0.5.
        assertThat(Metrics.recallAtFpr(SCORES, LABELS, 0.0)).isCloseTo(0.5, offset(EPS));
        // With a budget of 1/2: threshold 0.35 gives FPR 1/2 and recall 1.
        assertThat(Metrics.recallAtFpr(SCORES, LABELS, 0.5)).isCloseTo(1.0, offset(EPS));
        // A positive tied with a negative cannot be taken without it: 0.9 -> recall 1/2;
        // the 0.5 group brings FPR 1/2 > 0, so recall stays 1/2.
        assertThat(Metrics.recallAtFpr(new float[] {0.9f, 0.5f, 0.5f, 0.1f}, new int[] {1, 1, 0, 0}, 0.0))
                .isCloseTo(0.5, offset(EPS));
        // The highest score is a negative: no threshold fits a zero budget -> 0.
        assertThat(Metrics.recallAtFpr(new float[] {0.9f, 0.5f}, new int[] {0, 1}, 0.0)).isZero();
    }

    @Test
    void f1CallsScoresAtOrAboveTheThresholdPositive() {
        // Threshold 0.38 calls 0.4 (neg) and 0.8 (pos): TP=1, FP=1, FN=1 -> 2/(2+1+1) = 0.5.
        assertThat(Metrics.f1At(SCORES, LABELS, 0.38)).isCloseTo(0.5, offset(EPS));
        // A score equal to the threshold is called positive: at 0.8f only the 0.8 row, TP=1, FN=1 -> 2/3.
        assertThat(Metrics.f1At(SCORES, LABELS, 0.8f)).isCloseTo(2.0 / 3, offset(EPS));
        // Threshold 0.3 calls 0.4, 0.35, 0.8: TP=2, FP=1, FN=0 -> 4/5.
        assertThat(Metrics.f1At(SCORES, LABELS, 0.3)).isCloseTo(0.8, offset(EPS));
        // Nobody called positive, no positives: 0 by definition.
        assertThat(Metrics.f1At(new float[] {0.1f}, new int[] {0}, 0.5)).isZero();
    }

    @Test
    void evaluationCollectsEveryMetricUnderItsKey() {
        Evaluation e = Metrics.evaluate(SCORES, LABELS, 0.38);
        assertThat(e.examples()).isEqualTo(4);
        assertThat(e.positiveRate()).isEqualTo(0.5);
        Map<String, Double> m = e.toMetrics();
        assertThat(m).containsOnlyKeys("holdout_examples", "holdout_positive_rate", "roc_auc", "pr_auc", "log_loss",
                "recall_at_1pct_fpr", "f1");
        assertThat(m.get("roc_auc")).isCloseTo(0.75, offset(EPS));
        assertThat(m.get("f1")).isCloseTo(0.5, offset(EPS));
        // 1% of two negatives is less than one false positive: same as a zero budget.
        assertThat(m.get("recall_at_1pct_fpr")).isCloseTo(0.5, offset(EPS));
    }

    @Test
    void rejectsMismatchedLengthsAndNaNScores() {
        assertThatThrownBy(() -> Metrics.rocAuc(new float[] {0.1f}, new int[] {0, 1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Metrics.rocAuc(new float[] {Float.NaN, 0.1f}, new int[] {0, 1}))
                .hasMessageContaining("NaN");
    }

    @Test
    void negativeScoresAndSignedZeroSortCorrectly() {
        // -0.0 and 0.0 are one score (a tie): pairs (0.0 vs -0.0) = 0.5, (0.0 vs -2) = 1, (3 vs both) = 1 -> 3.5/4.
        assertThat(Metrics.rocAuc(new float[] {-2f, -0.0f, 0.0f, 3f}, new int[] {0, 0, 1, 1}))
                .isCloseTo(0.875, offset(EPS));
    }
}
