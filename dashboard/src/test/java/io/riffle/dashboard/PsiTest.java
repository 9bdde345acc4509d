package io.riffle.dashboard;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PsiTest {

    @Test
    void binsCoverZeroToOneAndClampOutliers() {
        assertThat(Psi.bin(0.0)).isZero();
        assertThat(Psi.bin(0.049)).isZero();
        assertThat(Psi.bin(0.05)).isEqualTo(1);
        assertThat(Psi.bin(0.999)).isEqualTo(19);
        assertThat(Psi.bin(1.0)).isEqualTo(19);
        assertThat(Psi.bin(7.0)).isEqualTo(19);
        assertThat(Psi.bin(-1.0)).isZero();
        assertThat(Psi.bin(Double.NaN)).isZero();
    }

    @Test
    void identicalDistributionsHaveZeroPsiAndShiftedOnesAreFlaggable() {
        double[] a = new double[20];
        double[] b = new double[20];
        for (int i = 0; i < 20; i++) {
            a[i] = 1 / 20.0;
            b[i] = i < 10 ? 0.09 : 0.01;
        }
        assertThat(Psi.psi(a, a)).isCloseTo(0.0, within(1e-12));
        // by hand: 10 * (0.09-0.05)*ln(1.8) + 10 * (0.01-0.05)*ln(0.2)
        double expected = 10 * 0.04 * Math.log(1.8) + 10 * -0.04 * Math.log(0.2);
        assertThat(Psi.psi(b, a)).isCloseTo(expected, within(1e-9)).isGreaterThan(0.2);
    }

    @Test
    void anEmptyBinIsFlooredNotInfinite() {
        double[] live = new double[20];
        double[] ref = new double[20];
        live[0] = 1;
        ref[19] = 1;
        assertThat(Psi.psi(live, ref)).isFinite().isGreaterThan(10);
    }

    @Test
    void referenceComesFromThePublishedScoreHistogram() {
        Map<String, Double> m = new HashMap<>();
        assertThat(Psi.reference(m)).isNull();
        for (int i = 0; i < 20; i++) {
            m.put(String.format("score_hist_%02d", i), i == 0 ? 3.0 : 1.0);
        }
        double[] ref = Psi.reference(m);
        assertThat(ref[0]).isCloseTo(3 / 22.0, within(1e-12));
        assertThat(ref[19]).isCloseTo(1 / 22.0, within(1e-12));
        m.remove("score_hist_07");
        assertThat(Psi.reference(m)).as("an incomplete histogram is no reference").isNull();
    }
}
