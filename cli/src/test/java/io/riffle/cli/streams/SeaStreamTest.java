package io.riffle.cli.streams;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SEA against Street & Kim's definition: the threshold rule, the noise rate, the switch of function. */
class SeaStreamTest {

    @Test
    void labelsFollowTheThresholdRuleExceptForTheNoiseRate() {
        SeaStream sea = new SeaStream(7, 1, 3, -1, 0.10);
        int n = 40_000;
        int flipped = 0;
        for (int i = 0; i < n; i++) {
            LabeledRecord r = sea.next();
            for (String a : sea.attributeNames()) {
                assertThat(r.number(a)).isBetween(0.0, 10.0);
            }
            int rule = r.number("x1") + r.number("x2") <= 8.0 ? 1 : 0;
            flipped += rule == r.label() ? 0 : 1;
        }
        // 10% ± 5 standard deviations (0.0015)
        assertThat(flipped / (double) n).isBetween(0.0925, 0.1075);
    }

    @Test
    void withoutNoiseEveryLabelIsTheRuleAndTheFunctionSwitchesAtTheDriftPosition() {
        SeaStream sea = new SeaStream(3, 1, 3, 1_000, 0.0);
        for (int i = 0; i < 2_000; i++) {
            assertThat(sea.currentFunction()).isEqualTo(i < 1_000 ? 1 : 3);
            LabeledRecord r = sea.next();
            double theta = i < 1_000 ? 8.0 : 7.0;
            assertThat(r.label()).isEqualTo(r.number("x1") + r.number("x2") <= theta ? 1 : 0);
        }
    }

    @Test
    void thresholdsAreThoseOfThePaper() {
        assertThat(SeaStream.threshold(1)).isEqualTo(8.0);
        assertThat(SeaStream.threshold(2)).isEqualTo(9.0);
        assertThat(SeaStream.threshold(3)).isEqualTo(7.0);
        assertThat(SeaStream.threshold(4)).isEqualTo(9.5);
        assertThat(SeaStream.concept(3, 3.5, 3.5)).isEqualTo(1);
        assertThat(SeaStream.concept(3, 3.5, 3.6)).isEqualTo(0);
        assertThatThrownBy(() -> SeaStream.threshold(5)).hasMessageContaining("1 to 4");
    }

    @Test
    void theSameSeedGivesTheSameStream() {
        SeaStream a = new SeaStream(11, 1, 3, 50, 0.1);
        SeaStream b = new SeaStream(11, 1, 3, 50, 0.1);
        SeaStream other = new SeaStream(12, 1, 3, 50, 0.1);
        boolean differs = false;
        for (int i = 0; i < 100; i++) {
            LabeledRecord r = a.next();
            assertThat(b.next()).isEqualTo(r);
            differs |= !other.next().equals(r);
        }
        assertThat(differs).isTrue();
    }

    @Test
    void thePositiveShareIsTheAreaUnderTheThreshold() {
        // P(x1 + x2 <= 8) for x uniform on [0,10]^2 is 32/100; with 10% flips 0.32 * 0.9 + 0.68 * 0.1 = 0.356.
        SeaStream sea = new SeaStream(5, 1, 1, -1, 0.10);
        int positives = 0;
        for (int i = 0; i < 40_000; i++) {
            positives += sea.next().label();
        }
        assertThat(positives / 40_000.0).isBetween(0.346, 0.366);
    }
}
