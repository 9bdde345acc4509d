package io.riffle.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Four rows over three classes, every figure worked out by hand. */
class RankingMetricsTest {

    private static final float[] SCORES = {
            0.5f, 0.3f, 0.2f,       // truth 1: rank 2
            0.1f, 0.2f, 0.7f,       // truth 2: rank 1
            0.6f, 0.3f, 0.1f,       // truth 2: rank 3
            0.2f, 0.2f, 0.6f};      // truth -1 (not a column): a miss
    private static final int[] TRUTH = {1, 2, 2, -1};

    @Test
    void atTwo() {
        RankingMetrics.Result r = RankingMetrics.evaluate(SCORES, 4, 3, TRUTH, 2);
        assertThat(r.recallAtK()).isEqualTo(0.5);                                      // rows 0 and 1
        assertThat(r.ndcgAtK()).isCloseTo((1 / (Math.log(3) / Math.log(2)) + 1) / 4, within(1e-12));  // 0.40773
        assertThat(r.mrr()).isCloseTo((0.5 + 1 + 1.0 / 3) / 4, within(1e-12));          // 0.45833
        assertThat(r.coverage()).isEqualTo(1.0);                                        // {0,1}, {2,1}, {0,1}, {2,0}
        assertThat(r.toMetrics()).containsEntry("k", 2.0).containsEntry("classes", 3.0)
                .containsEntry("holdout_examples", 4.0);
    }

    @Test
    void atOne() {
        RankingMetrics.Result r = RankingMetrics.evaluate(SCORES, 4, 3, TRUTH, 1);
        assertThat(r.recallAtK()).isEqualTo(0.25);                                     // row 1 only
        assertThat(r.ndcgAtK()).isEqualTo(0.25);
        assertThat(r.coverage()).isCloseTo(2.0 / 3, within(1e-12));                    // tops 0, 2, 0, 2
    }

    @Test
    void tiesGoToTheLowerColumnAndNaNRanksLast() {
        float[] scores = {0.2f, 0.2f, 0.6f, Float.NaN, 0.1f, 0.1f};
        int[] top = new int[3];
        assertThat(RankingMetrics.topK(scores, 0, 3, top)).isEqualTo(3);
        assertThat(top).containsExactly(2, 0, 1);
        RankingMetrics.topK(scores, 3, 3, top);
        assertThat(top).containsExactly(1, 2, 0);
        assertThat(RankingMetrics.rank(scores, 0, 3, 1)).isEqualTo(3);
        assertThat(RankingMetrics.rank(scores, 3, 3, 0)).isEqualTo(3);
    }

    @Test
    void kBeyondTheCatalogueRanksEverything() {
        RankingMetrics.Result r = RankingMetrics.evaluate(SCORES, 4, 3, TRUTH, 10);
        assertThat(r.recallAtK()).isEqualTo(0.75);
        assertThat(r.k()).isEqualTo(10);
    }
}
