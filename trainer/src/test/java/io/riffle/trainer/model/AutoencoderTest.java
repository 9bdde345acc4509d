package io.riffle.trainer.model;

import io.riffle.modelops.spec.ModelKind;
import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.schemas.ModelTask;
import io.riffle.trainer.bench.SyntheticData;
import io.riffle.trainer.data.Dataset;
import io.riffle.trainer.eval.Metrics;
import org.junit.jupiter.api.Test;

class AutoencoderTest {

    @Test
    void scoresInjectedAnomaliesAboveNormalRows() {
        Dataset train = SyntheticData.generate(20_000, 12, 0.03, 11);
        Dataset validation = SyntheticData.generate(3_000, 12, 0.03, 12);
        Dataset test = SyntheticData.generate(5_000, 12, 0.05, 13);
        TrainedModel model = ModelTrainer.train(TrainerConfig.defaults(ModelKind.AUTOENCODER).withMaxEpochs(20).withBatchSize(64),
                train, validation, ProgressListener.NONE);
        assertThat(model.task()).isEqualTo(ModelTask.ANOMALY);
        assertThat(model.summary()).startsWith("autoencoder 12-8-4-8-12,");

        float[] scores = model.predict(test);
        UnitInterval.assertAllIn(scores);
        assertThat(Metrics.rocAuc(scores, test.labels())).isGreaterThan(0.9);
        // Calibrated on normal training rows: about half of fresh normal rows score below 0.5.
        float[] normal = model.predict(test.withLabel(0));
        long below = 0;
        for (float s : normal) {
            below += s < 0.5f ? 1 : 0;
        }
        assertThat((double) below / normal.length).isBetween(0.4, 0.6);
    }

    @Test
    void calibrationIsTheInterpolatedEmpiricalCdf() {
        double[] errors = new double[20_001];
        for (int i = 0; i < errors.length; i++) {
            errors[i] = i / 20_000.0; // uniform on [0, 1]: the CDF is the identity
        }
        double[][] c = Autoencoder.calibration(errors);
        double sum = 0;
        for (double step : c[2]) {
            sum += step;
        }
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(c[0][0]).isEqualTo(0.0);
        // The identity CDF: each knot sits at its own level.
        assertThat(c[0]).hasSize(Autoencoder.LEVELS.length - 1);
        for (int k = 0; k < c[0].length; k++) {
            assertThat(c[0][k]).isCloseTo(Autoencoder.LEVELS[k], org.assertj.core.data.Offset.offset(1e-4));
        }
        // Equal errors collapse into one knot whose step jumps to the higher level.
        double[][] flat = Autoencoder.calibration(new double[] {0.5, 0.5, 0.5, 0.5});
        assertThat(flat[0]).containsExactly(0.5);
        assertThat(flat[2]).containsExactly(1.0);
    }
}
