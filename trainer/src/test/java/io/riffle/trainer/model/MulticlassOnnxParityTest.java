package io.riffle.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.modelops.registry.ModelVersions;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.trainer.data.Dataset;
import io.riffle.trainer.service.MulticlassScoring;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each multiclass kind's ONNX graph, run by ONNX Runtime through the model-ops engine, gives the
 * trainer's own probabilities within 1e-5 (the publishing gate's tolerance), rows summing to 1.
 */
class MulticlassOnnxParityTest {

    private static final int FEATURES = 10;
    private static final int CLASSES = 25;

    @Test
    void softmaxLogistic() throws Exception {
        check(fitSoftmax(TrainerConfig.multiclassDefaults(ModelKind.LOGISTIC), FeatureMask.all(FEATURES)));
    }

    @Test
    void softmaxMlp() throws Exception {
        check(fitSoftmax(TrainerConfig.multiclassDefaults(ModelKind.MLP).withMaxEpochs(8),
                FeatureMask.all(FEATURES)));
    }

    @Test
    void softmaxMlpIgnoringAFeature() throws Exception {
        check(fitSoftmax(TrainerConfig.multiclassDefaults(ModelKind.MLP).withMaxEpochs(8),
                FeatureMask.ignoringColumns(FEATURES, Set.of(4))));
    }

    @Test
    void popularityPerSegment() throws Exception {
        MulticlassData.Problem p = withSegments(MulticlassData.generate(3_000, FEATURES, CLASSES, 1.5, 1));
        check(PopularityModel.fit(p.data(), p.classes(), CLASSES, new int[] {0, 1, 2}));
    }

    @Test
    void popularityWithoutSegments() throws Exception {
        MulticlassData.Problem p = MulticlassData.generate(3_000, FEATURES, CLASSES, 1.5, 1);
        check(PopularityModel.fit(p.data(), p.classes(), CLASSES, new int[0]));
    }

    private static MulticlassModel fitSoftmax(TrainerConfig config, FeatureMask mask) {
        MulticlassData.Problem train = MulticlassData.generate(4_000, FEATURES, CLASSES, 1.5, 1);
        MulticlassData.Problem validation = MulticlassData.generate(800, FEATURES, CLASSES, 1.5, 2);
        return SoftmaxClassifier.fit(config, mask, train.data(), train.classes(), validation.data(),
                validation.classes(), CLASSES, ProgressListener.NONE);
    }

    /** Columns 0..2 become a one-hot segment by class (a fifth of rows in none), so segments differ. */
    private static MulticlassData.Problem withSegments(MulticlassData.Problem p) {
        float[] x = p.data().x().clone();
        for (int r = 0; r < p.data().rows(); r++) {
            int segment = (p.classes()[r] + r) % 5;
            for (int k = 0; k < 3; k++) {
                x[r * FEATURES + k] = k == segment ? 1f : 0f;
            }
        }
        return new MulticlassData.Problem(new Dataset(x, p.data().rows(), FEATURES, new int[p.data().rows()]),
                p.classes());
    }

    private static void check(MulticlassModel model) throws Exception {
        Dataset holdout = withSegments(MulticlassData.generate(1_000, FEATURES, CLASSES, 1.5, 3)).data();
        float[] expected = model.predict(holdout);
        byte[] onnx = model.toOnnx();
        float[] actual = new float[expected.length];
        try (MulticlassScoring scoring = new MulticlassScoring(onnx, ModelVersions.sha256Hex(onnx), FEATURES,
                CLASSES)) {
            scoring.score(holdout.x(), holdout.rows(), actual);
        }
        double maxDiff = 0;
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int i = 0; i < actual.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            min = Math.min(min, expected[i]);
            max = Math.max(max, expected[i]);
        }
        assertThat(maxDiff).as("max |onnx - predict| for %s", model.summary()).isLessThanOrEqualTo(1e-5);
        assertThat(max - min).as("not a constant model").isGreaterThan(0.1f);
        for (int r = 0; r < holdout.rows(); r++) {
            double sum = 0;
            for (int j = 0; j < CLASSES; j++) {
                sum += actual[r * CLASSES + j];
            }
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
    }
}
