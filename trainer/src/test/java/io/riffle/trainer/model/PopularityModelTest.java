package io.riffle.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.riffle.trainer.data.Dataset;
import org.junit.jupiter.api.Test;

/** Class shares per segment, worked out by hand. */
class PopularityModelTest {

    // Columns 0..2: one-hot segment (2 never seen), column 3: a numeric feature popularity ignores.
    private static final float[] X = {
            1, 0, 0, 5,     // segment 0, class 0
            1, 0, 0, 6,     // segment 0, class 0
            1, 0, 0, 7,     // segment 0, class 1
            0, 1, 0, 8,     // segment 1, class 2
            0, 0, 0, 9,     // no segment, class 2
            1, 0, 0, 1};    // segment 0, class -1 (outside the vocabulary): not counted
    private static final int[] CLASSES = {0, 0, 1, 2, 2, -1};

    @Test
    void sharesPerSegmentAndGlobalForNoneOrUnseen() {
        PopularityModel m = PopularityModel.fit(new Dataset(X, 6, 4, new int[6]), CLASSES, 3, new int[] {0, 1, 2});
        float[] p = m.predict(new Dataset(new float[] {
                1, 0, 0, 0,
                0, 1, 0, 0,
                0, 0, 1, 0,     // segment 2: unseen in the window
                0, 0, 0, 0}, 4, 4, new int[4]));
        // segment 0: 2 x class 0, 1 x class 1
        assertThat(p[0]).isCloseTo(2f / 3, within(1e-7f));
        assertThat(p[1]).isCloseTo(1f / 3, within(1e-7f));
        assertThat(p[2]).isZero();
        // segment 1: 1 x class 2
        assertThat(new float[] {p[3], p[4], p[5]}).containsExactly(0f, 0f, 1f);
        // global over the 5 counted rows: 2, 1, 2
        float[] global = {0.4f, 0.2f, 0.4f};
        for (int j = 0; j < 3; j++) {
            assertThat(p[6 + j]).isCloseTo(global[j], within(1e-7f));
            assertThat(p[9 + j]).isCloseTo(global[j], within(1e-7f));
        }
        assertThat(m.summary()).contains("2 of 3 segments seen");
    }

    @Test
    void withoutSegmentsEveryRowGetsTheGlobalShares() {
        PopularityModel m = PopularityModel.fit(new Dataset(X, 6, 4, new int[6]), CLASSES, 3, new int[0]);
        float[] p = m.predict(new Dataset(X, 6, 4, new int[6]));
        for (int r = 0; r < 6; r++) {
            assertThat(p[r * 3]).isCloseTo(0.4f, within(1e-7f));
            assertThat(p[r * 3 + 1]).isCloseTo(0.2f, within(1e-7f));
        }
    }
}
