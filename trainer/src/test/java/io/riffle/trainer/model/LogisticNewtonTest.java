package io.riffle.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.riffle.modelops.spec.ModelKind;
import io.riffle.trainer.bench.SyntheticData;
import io.riffle.trainer.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Newton's method for the penalised logistic objective: optimality, separable data, the cap. */
class LogisticNewtonTest {

    @Test
    void theGradientVanishesAtTheResult() {
        Dataset data = SyntheticData.generate(5_000, 8, 0.1, 11);
        Standardizer standardizer = Standardizer.fit(data, "logistic");
        double positiveWeight = 3.0;
        List<Double> objectives = new ArrayList<>();
        LogisticNewton.Result result = LogisticNewton.fit(standardizer, data, positiveWeight, 0.0,
                (iteration, objective, validation) -> objectives.add(objective));

        assertThat(result.converged()).isTrue();
        assertThat(result.iterations()).isBetween(3, 20).isEqualTo(objectives.size());
        assertThat(objectives).isSortedAccordingTo((a, b) -> Double.compare(b, a)); // every step descends
        assertThat(result.describe()).isEqualTo("newton converged after " + result.iterations() + " iterations");
        // d f / d theta = sum_r s_r (p_r - y_r) (z_r, 1) + (penalty * w, 0) = 0 at the minimum.
        double[] gradient = gradient(standardizer, data, positiveWeight, result);
        for (double g : gradient) {
            assertThat(g).isCloseTo(0.0, within(1e-6));
        }
    }

    @Test
    void separableDataGetsFiniteWeightsFromThePenalty() {
        // Without a penalty the weights would grow without bound; with it the minimum is finite.
        int n = 400;
        float[] x = new float[n * 2];
        int[] y = new int[n];
        SplittableRandom random = new SplittableRandom(5);
        for (int r = 0; r < n; r++) {
            y[r] = r % 2;
            x[2 * r] = (float) ((y[r] == 1 ? 2 : -2) + 0.5 * random.nextGaussian());
            x[2 * r + 1] = (float) random.nextGaussian();
        }
        Dataset data = new Dataset(x, n, 2, y);
        LogisticNewton.Result result = LogisticNewton.fit(Standardizer.fit(data, "logistic"), data, 1.0, 0.0,
                ProgressListener.NONE);
        assertThat(result.converged()).isTrue();
        assertThat(result.weights()[0]).isPositive().isLessThan(50);
        assertThat(Math.abs(result.weights()[1])).isLessThan(result.weights()[0]);
    }

    @Test
    void theIterationCapIsReportedNotHidden() {
        Dataset data = SyntheticData.generate(2_000, 8, 0.1, 12);
        LogisticNewton.Result result = LogisticNewton.fit(Standardizer.fit(data, "logistic"), data, 1.0, 0.0,
                ProgressListener.NONE, 1);
        assertThat(result.converged()).isFalse();
        assertThat(result.iterations()).isEqualTo(1);
        assertThat(result.describe()).isEqualTo("newton stopped after 1 iterations, not converged");
    }

    @Test
    void choleskySolvesASymmetricPositiveDefiniteSystem() {
        double[] a = {4, 2, 0.6, 2, 5, 1, 0.6, 1, 3};
        double[] b = {1, -2, 0.5};
        double[] x = LogisticNewton.Cholesky.solve(a, b, 3);
        for (int i = 0; i < 3; i++) {
            double ax = a[3 * i] * x[0] + a[3 * i + 1] * x[1] + a[3 * i + 2] * x[2];
            assertThat(ax).isCloseTo(b[i], within(1e-12));
        }
    }

    @Test
    void aSmallLogisticWindowGoesToNewtonALargeOneToAdam() {
        assertThat(LogisticNewton.suits(200_000, 46)).isTrue();
        assertThat(LogisticNewton.suits(200_001, 46)).isFalse();
        assertThat(LogisticNewton.suits(1_000_000, 20)).isTrue();
        Dataset train = SyntheticData.generate(3_000, 8, 0.1, 13);
        Dataset validation = SyntheticData.generate(500, 8, 0.1, 14);
        TrainedModel model = ModelTrainer.train(TrainerConfig.defaults(ModelKind.LOGISTIC), train, validation,
                ProgressListener.NONE);
        assertThat(model.converged()).isTrue();
        assertThat(model.summary()).startsWith("logistic 8-1, newton converged after ")
                .contains("on 3500 rows (train and validation)");
    }

    private static double[] gradient(Standardizer standardizer, Dataset data, double positiveWeight,
                                     LogisticNewton.Result result) {
        int d = data.features();
        double[] z = new double[data.rows() * d];
        standardizer.fill(data, DenseTraining.identity(data.rows()), 0, data.rows(), z);
        double[] g = new double[d + 1];
        for (int r = 0; r < data.rows(); r++) {
            double logit = result.intercept();
            for (int i = 0; i < d; i++) {
                logit += result.weights()[i] * z[r * d + i];
            }
            int y = data.labels()[r];
            double residual = (y == 1 ? positiveWeight : 1.0) * (DenseLosses.sigmoid(logit) - y);
            for (int i = 0; i < d; i++) {
                g[i] += residual * z[r * d + i];
            }
            g[d] += residual;
        }
        for (int i = 0; i < d; i++) {
            g[i] += LogisticNewton.PENALTY * result.weights()[i];
        }
        return g;
    }
}
