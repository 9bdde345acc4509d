package io.riffle.modelops.registry;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ScoreHistogramTest {

    @Test
    void twentyEqualWidthBinsOverZeroToOneKeyedWithTwoDigits() {
        float[] scores = {0f, 0.049f, 0.051f, 0.5f, 0.949f, 0.951f, 0.999f, 1f, -0.2f, 1.7f, Float.NaN,
                Float.POSITIVE_INFINITY};
        Map<String, Double> m = ScoreHistogram.metrics(scores);
        assertThat(new ArrayList<>(m.keySet())).hasSize(20).first().isEqualTo("score_hist_00");
        assertThat(new ArrayList<>(m.keySet())).last().isEqualTo("score_hist_19");
        assertThat(m).containsKeys("score_hist_05", "score_hist_10");
        // 0, 0.049 and the negative score in the first bin; 0.051 in the second
        assertThat(m.get("score_hist_00")).isEqualTo(3.0);
        assertThat(m.get("score_hist_01")).isEqualTo(1.0);
        assertThat(m.get("score_hist_10")).isEqualTo(1.0);
        assertThat(m.get("score_hist_18")).isEqualTo(1.0);
        // 0.951, 0.999, exactly 1 and the score above 1 in the last bin
        assertThat(m.get("score_hist_19")).isEqualTo(4.0);
        // NaN and infinity are not counted
        assertThat(m.values().stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(10.0);
    }

    @Test
    void emptyScoresGiveZeroCounts() {
        assertThat(ScoreHistogram.metrics(new float[0])).hasSize(20).allSatisfy((k, v) -> assertThat(v).isZero());
    }
}
