package io.riffle.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

/** Shared assertion: every score is a number in [0, 1]. */
final class UnitInterval {
    private UnitInterval() {}

    static void assertAllIn(float[] scores) {
        for (int i = 0; i < scores.length; i++) {
            assertThat(scores[i]).as("score %d", i).isBetween(0f, 1f);
        }
    }
}
