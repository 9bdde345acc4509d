package io.riffle.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.onnx.OnnxGraphs;
import io.riffle.modelops.onnx.OutputActivation;
import io.riffle.modelops.registry.ModelVersions;
import io.riffle.modelops.serving.LoadedModel;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.schemas.ModelTask;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class LogisticFitTest {

    /** Rare positives where x0 * x1 > 1.5 (not linearly separable), on inputs far from standard scale. */
    private static float[][] rows(int n, long seed, boolean[] labels) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] x = new float[n][4];
        for (int i = 0; i < n; i++) {
            double a = random.nextGaussian();
            double b = random.nextGaussian();
            x[i][0] = (float) (100 + 20 * a);
            x[i][1] = (float) (0.01 * b);
            x[i][2] = (float) random.nextGaussian();
            x[i][3] = 7f; // constant: standard deviation guarded
            labels[i] = a * b > 1.5;
        }
        return x;
    }

    @Test
    void learnsANonLinearRareClassAndOnnxRuntimeAgreesWithTheJavaForwardPass() throws Exception {
        boolean[] y = new boolean[20_000];
        float[][] x = rows(20_000, 1, y);
        LogisticFit.Network network = LogisticFit.fit(x, y, LogisticFit.Settings.defaults(3));

        boolean[] testY = new boolean[5_000];
        float[][] test = rows(5_000, 2, testY);
        float[] java = new float[test.length];
        float[] flat = new float[test.length * 4];
        for (int i = 0; i < test.length; i++) {
            java[i] = network.score(test[i]);
            System.arraycopy(test[i], 0, flat, i * 4, 4);
        }
        assertThat(RocAuc.of(java, testY)).isGreaterThan(0.95);

        byte[] onnx = OnnxGraphs.denseNetwork(network.weights(), network.biases(), OutputActivation.SIGMOID);
        float[] ort = new float[test.length];
        try (LoadedModel model = new ModelLoader(EngineOptions.defaults())
                .load(ModelVersions.fromOnnx(onnx, "t", 1, ModelTask.BINARY, 4), 4, null)) {
            model.score(flat, test.length, ort);
        }
        for (int i = 0; i < test.length; i++) {
            assertThat(ort[i]).isCloseTo(java[i], within(1e-5f));
        }
    }

    @Test
    void ignoredFeaturesGetZeroWeights() {
        boolean[] y = new boolean[5_000];
        float[][] x = rows(5_000, 4, y);
        LogisticFit.Network network = LogisticFit.fit(x, y,
                LogisticFit.Settings.defaults(5).withIgnored(new boolean[] {false, false, true, false}));
        for (float w : network.weights()[0][2]) {
            assertThat(w).isZero();
        }
    }

    @Test
    void withoutHiddenLayerItIsLogisticRegression() {
        boolean[] y = new boolean[10_000];
        float[][] x = new float[10_000][2];
        SplittableRandom random = new SplittableRandom(6);
        for (int i = 0; i < x.length; i++) {
            x[i][0] = (float) random.nextGaussian();
            x[i][1] = (float) random.nextGaussian();
            y[i] = x[i][0] + 0.5 * random.nextGaussian() > 2;
        }
        LogisticFit.Network network = LogisticFit.fit(x, y,
                new LogisticFit.Settings(0, 10, 128, 0.01, 0, 1, null));
        assertThat(network.weights()).hasNumberOfRows(1);
        float[] scores = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            scores[i] = network.score(x[i]);
        }
        assertThat(RocAuc.of(scores, y)).isGreaterThan(0.95);
        assertThat(network.weights()[0][0][0]).isGreaterThan(Math.abs(network.weights()[0][1][0]));
    }
}
