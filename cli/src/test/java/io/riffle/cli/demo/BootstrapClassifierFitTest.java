package io.riffle.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.registry.ModelVersions;
import io.riffle.modelops.serving.LoadedModel;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.schemas.ModelTask;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.trainer.model.TrainedModel;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The bootstrap classifier's fit: the trainer's own MLP with the demo's settings (it replaced a copy). */
class BootstrapClassifierFitTest {

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
        TrainedModel network = BootstrapModels.fitNetwork(x, y, null, BootstrapModels.classifierConfig(3));

        boolean[] testY = new boolean[5_000];
        float[][] test = rows(5_000, 2, testY);
        float[] java = network.predict(BootstrapModels.dataset(test, testY));
        assertThat(RocAuc.of(java, testY)).isGreaterThan(0.95);

        float[] ort = new float[test.length];
        try (LoadedModel model = new ModelLoader(EngineOptions.defaults())
                .load(ModelVersions.fromOnnx(network.toOnnx(), "t", 1, ModelTask.BINARY, 4), 4, null)) {
            model.score(BootstrapModels.dataset(test, testY).x(), test.length, ort);
        }
        for (int i = 0; i < test.length; i++) {
            assertThat(ort[i]).isCloseTo(java[i], within(1e-5f));
        }
    }

    @Test
    void ignoredFeaturesHaveNoInfluence() {
        boolean[] y = new boolean[5_000];
        float[][] x = rows(5_000, 4, y);
        TrainedModel network = BootstrapModels.fitNetwork(x, y, new boolean[] {false, false, true, false},
                BootstrapModels.classifierConfig(5));
        float[][] changed = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            changed[i] = x[i].clone();
            changed[i][2] = 1e6f;
        }
        assertThat(network.predict(BootstrapModels.dataset(changed, y)))
                .containsExactly(network.predict(BootstrapModels.dataset(x, y)));
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
        TrainedModel network = BootstrapModels.fitNetwork(x, y, null,
                BootstrapModels.classifierConfig(1).withMaxEpochs(10));
        assertThat(network.summary()).startsWith(ModelKind.MLP.id());
        TrainedModel logistic = BootstrapModels.fitNetwork(x, y, null,
                io.riffle.trainer.model.TrainerConfig.defaults(ModelKind.LOGISTIC).withMaxEpochs(10).withPatience(0)
                        .withBatchSize(128).withLearningRate(0.01).withL2(0).withSeed(1));
        assertThat(RocAuc.of(logistic.predict(BootstrapModels.dataset(x, y)), y)).isGreaterThan(0.95);
        assertThat(logistic.summary()).startsWith(ModelKind.LOGISTIC.id());
    }
}
