package io.riffle.cli.streams;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The rotating hyperplane against its definition: balanced labels, noise, drifting weights. */
class HyperplaneStreamTest {

    @Test
    void labelsAreBalancedAndFollowTheCurrentHyperplaneExceptForTheNoise() {
        HyperplaneStream h = HyperplaneStream.standard(3, 0.10, 0);
        int n = 40_000;
        int positives = 0;
        int flipped = 0;
        for (int i = 0; i < n; i++) {
            double[] w = h.weights();
            LabeledRecord r = h.next();
            double[] x = new double[10];
            for (int j = 0; j < 10; j++) {
                x[j] = r.number("x" + (j + 1));
                assertThat(x[j]).isBetween(0.0, 1.0);
            }
            positives += r.label();
            flipped += HyperplaneStream.concept(w, x) == r.label() ? 0 : 1;
        }
        assertThat(positives / (double) n).isBetween(0.48, 0.52);
        assertThat(flipped / (double) n).isBetween(0.0925, 0.1075);
    }

    @Test
    void theFirstFiveWeightsDriftAndTheOthersStay() {
        HyperplaneStream h = HyperplaneStream.standard(5, 0.10, 0);
        double[] before = h.weights();
        for (int i = 0; i < 20_000; i++) {
            h.next();
        }
        double[] after = h.weights();
        for (int i = 0; i < 10; i++) {
            if (i < 5) {
                assertThat(after[i]).as("weight %d", i).isNotEqualTo(before[i]);
                // at most 0.001 per record
                assertThat(Math.abs(after[i] - before[i])).isLessThanOrEqualTo(20_000 * 0.001 + 1e-9);
            } else {
                assertThat(after[i]).as("weight %d", i).isEqualTo(before[i]);
            }
        }
    }

    @Test
    void eachDriftingWeightMovesByTheMagnitudePerRecordOnceTheRotationStarts() {
        HyperplaneStream h = HyperplaneStream.standard(8, 0.10, 100);
        double[] start = h.weights();
        for (int i = 0; i < 100; i++) {
            h.next();
        }
        assertThat(h.weights()).containsExactly(start);
        double[] previous = h.weights();
        for (int i = 0; i < 500; i++) {
            h.next();
            double[] now = h.weights();
            for (int j = 0; j < 5; j++) {
                assertThat(Math.abs(now[j] - previous[j])).isCloseTo(0.001, org.assertj.core.data.Offset.offset(1e-12));
            }
            previous = now;
        }
    }

    @Test
    void theSameSeedGivesTheSameStream() {
        HyperplaneStream a = HyperplaneStream.standard(2, 0.1, 0);
        HyperplaneStream b = HyperplaneStream.standard(2, 0.1, 0);
        for (int i = 0; i < 100; i++) {
            assertThat(b.next()).isEqualTo(a.next());
        }
        assertThat(b.weights()).containsExactly(a.weights());
    }
}
