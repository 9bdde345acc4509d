package io.riffle.trainer.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ChangePointTest {

    @Test
    void findsAStepUpInAHandMadeSequence() {
        double[] values = {0, 0, 0, 0, 0, 1, 1, 1};
        assertThat(ChangePoint.newestAfterRise(values, 1)).isEqualTo(3);
        // A step down is not a rise: the whole sequence is kept.
        assertThat(ChangePoint.newestAfterRise(new double[] {1, 1, 1, 0, 0, 0}, 1)).isEqualTo(6);
        // Sides shorter than minSide are not considered.
        assertThat(ChangePoint.newestAfterRise(values, 4)).isEqualTo(4);
    }

    @Test
    void findsARareMissRateRisingInNoisyBernoulliValues() {
        Random random = new Random(5);
        int before = 900;
        int after = 40;
        int hits = 0;
        for (int trial = 0; trial < 50; trial++) {
            double[] values = new double[before + after];
            for (int i = 0; i < values.length; i++) {
                values[i] = random.nextDouble() < (i < before ? 0.03 : 0.5) ? 1 : 0;
            }
            int newer = ChangePoint.newestAfterRise(values, 5);
            hits += Math.abs(newer - after) <= 10 ? 1 : 0;
        }
        assertThat(hits).as("estimates within 10 of the true change, of 50").isGreaterThanOrEqualTo(45);
    }
}
