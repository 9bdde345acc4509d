package io.riffle.modelops.decision;

import io.riffle.modelops.testing.TestModels;
import io.riffle.schemas.Decision;
import io.riffle.schemas.ModelVersion;
import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class DecisionPolicyTest {

    @Test
    void fixedPointCodesAreWhatStringFormatWrites() {
        Random random = new Random(17);
        double[] edges = {0, -0.0, 0.0005, 0.0015, 0.0025, 0.9995, 0.99949999, 1.0005, -0.04, -0.05, -0.05000001, 0.05,
                0.25, 2.5e-4, 1e-7, -1e-7, 123456.7895, 9.2104, 4.35, -4.35, 1e14, Double.NaN,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Float.MAX_VALUE, Double.MIN_VALUE};
        for (double v : edges) {
            assertSameAsFormat(v);
        }
        for (int i = 0; i < 200_000; i++) {
            assertSameAsFormat(random.nextFloat());                       // scores
            assertSameAsFormat((random.nextDouble() - 0.5) * 2_000);       // features, z-scores
            assertSameAsFormat(Math.round(random.nextDouble() * 20_000) / 20_000.0 - 0.5);   // ties of the 4th decimal
        }
    }

    @Test
    void theArithmeticPathAgreesWithTheDecimalStringAcrossMagnitudes() {
        Random random = new Random(23);
        for (int i = 0; i < 300_000; i++) {
            // every magnitude from 1e-12 to 1e16, and a tie of the last kept decimal nudged by a few ulps
            double v = Math.pow(10, random.nextDouble() * 28 - 12) * (random.nextBoolean() ? 1 : -1);
            assertSameAsFormat(v);
            double tie = (Math.floor(random.nextDouble() * 2e6) + 0.5) / 1000;
            for (int ulps = -2; ulps <= 2; ulps++) {
                double near = tie + ulps * Math.ulp(tie);
                assertThat(DecisionPolicy.fixed(new StringBuilder(), near, 3, false).toString()).as("%.3f of %s", near)
                        .isEqualTo(String.format(Locale.ROOT, "%.3f", near));
            }
        }
        // the usual outputs never need the decimal string; ties and the out-of-range do
        assertThat(DecisionPolicy.roundedHalfUp(0.9309999f, 3)).isEqualTo(931);
        assertThat(DecisionPolicy.roundedHalfUp(0.9, 3)).isEqualTo(900);
        assertThat(DecisionPolicy.roundedHalfUp(4.35, 1)).isEqualTo(-1);
        assertThat(DecisionPolicy.roundedHalfUp(2e15, 3)).isEqualTo(-1);
    }

    private static void assertSameAsFormat(double v) {
        assertThat(DecisionPolicy.fixed(new StringBuilder(), v, 3, false).toString()).as("%.3f of %s", v)
                .isEqualTo(String.format(Locale.ROOT, "%.3f", v));
        assertThat(DecisionPolicy.fixed(new StringBuilder(), v, 1, true).toString()).as("%+.1f of %s", v)
                .isEqualTo(String.format(Locale.ROOT, "%+.1f", v));
        float f = (float) v;
        assertThat(DecisionPolicy.fixed(new StringBuilder(), f, 3, false).toString()).as("%.3f of float %s", f)
                .isEqualTo(String.format(Locale.ROOT, "%.3f", f));
    }

    @Test
    void reasonCodesNameModelOutputAndThreshold() {
        ModelVersion fraud = ModelVersion.newBuilder(TestModels.binaryMlp("fraud", 3, 4, 1))
                .setReviewThreshold(0.5).setBlockThreshold(0.9).build();
        assertThat(DecisionPolicy.reason(fraud, 0.9309999f, Decision.BLOCK)).isEqualTo("fraud:v3:probability=0.931>=block:0.900");
        assertThat(DecisionPolicy.reason(fraud, 0.5f, Decision.REVIEW)).isEqualTo("fraud:v3:probability=0.500>=review:0.500");
    }

    @Test
    void aNonFiniteOutputDecidesTheFallbackNotItsThresholds() {
        ModelVersion fraud = ModelVersion.newBuilder(TestModels.binaryMlp("fraud", 3, 4, 1))
                .setReviewThreshold(0.5).setBlockThreshold(0.9).build();
        for (float failed : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            assertThat(DecisionPolicy.decide(fraud, failed)).as("default for %s", failed).isEqualTo(Decision.REVIEW);
            assertThat(DecisionPolicy.decide(fraud, failed, Decision.REVIEW)).isEqualTo(Decision.REVIEW);
            assertThat(DecisionPolicy.decide(fraud, failed, Decision.BLOCK)).isEqualTo(Decision.BLOCK);
            // Only when asked for explicitly.
            assertThat(DecisionPolicy.decide(fraud, failed, Decision.ALLOW)).isEqualTo(Decision.ALLOW);
        }
        assertThat(DecisionPolicy.DEFAULT_ON_FAILURE).isEqualTo(Decision.REVIEW);
    }

    @Test
    void finiteOutputsStillFollowTheThresholdsWhateverTheFallback() {
        ModelVersion fraud = ModelVersion.newBuilder(TestModels.binaryMlp("fraud", 3, 4, 1))
                .setReviewThreshold(0.5).setBlockThreshold(0.9).build();
        for (Decision onFailure : Decision.values()) {
            assertThat(DecisionPolicy.decide(fraud, 0.1f, onFailure)).isEqualTo(Decision.ALLOW);
            assertThat(DecisionPolicy.decide(fraud, 0.5f, onFailure)).isEqualTo(Decision.REVIEW);
            assertThat(DecisionPolicy.decide(fraud, 0.95f, onFailure)).isEqualTo(Decision.BLOCK);
            assertThat(DecisionPolicy.decide(fraud, Float.MAX_VALUE, onFailure)).isEqualTo(Decision.BLOCK);
            assertThat(DecisionPolicy.decide(fraud, -0.0f, onFailure)).isEqualTo(Decision.ALLOW);
        }
        assertThat(DecisionPolicy.decide(fraud, 0.1f)).isEqualTo(Decision.ALLOW);
        assertThat(DecisionPolicy.decide(fraud, 0.95f)).isEqualTo(Decision.BLOCK);
    }

    @Test
    void aNonFiniteOutputsReasonSaysTheModelFailedAndWhatThatDecided() {
        ModelVersion fraud = TestModels.binaryMlp("fraud", 3, 4, 1);
        assertThat(DecisionPolicy.reason(fraud, Float.NaN, Decision.REVIEW))
                .isEqualTo("fraud:v3:output-not-finite=NaN->review");
        assertThat(DecisionPolicy.reason(fraud, Float.POSITIVE_INFINITY, Decision.BLOCK))
                .isEqualTo("fraud:v3:output-not-finite=Infinity->block");
        assertThat(DecisionPolicy.reason(fraud, Float.NEGATIVE_INFINITY, Decision.ALLOW))
                .isEqualTo("fraud:v3:output-not-finite=-Infinity->allow");
        ModelVersion anomaly = TestModels.anomaly("anomaly", 7, 4);
        assertThat(DecisionPolicy.reason(anomaly, Float.NaN, Decision.REVIEW))
                .isEqualTo("anomaly:v7:output-not-finite=NaN->review");
    }
}
