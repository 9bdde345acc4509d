package io.riffle.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.riffle.trainer.data.Dataset;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Which features count as constant: a spread small relative to the mean, not small in absolute terms. */
class StandardizerTest {

    @Test
    void aFeatureInSmallUnitsKeepsItsSpreadAndANearConstantOneGetsOne() {
        int n = 1_000;
        int d = 4;
        float[] x = new float[n * d];
        SplittableRandom random = new SplittableRandom(1);
        for (int r = 0; r < n; r++) {
            x[r * d] = (float) (0.007 + 0.003 * random.nextGaussian());     // a standard error in small units
            x[r * d + 1] = (float) (14.0 + 0.02 * random.nextGaussian());    // hour of day over a few minutes
            x[r * d + 2] = 7f;                                               // constant
            x[r * d + 3] = (float) (1e-8 * random.nextGaussian());           // float noise around 0
        }
        Standardizer s = Standardizer.fit(new Dataset(x, n, d, new int[n]), "test");
        assertThat(s.std[0]).isCloseTo(0.003, within(3e-4));
        assertThat(s.std[1]).isEqualTo(1.0);
        assertThat(s.std[2]).isEqualTo(1.0);
        assertThat(s.std[3]).isEqualTo(1.0);
    }
}
