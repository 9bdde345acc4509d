package io.riffle.trainer.model;

import io.riffle.modelops.spec.ModelKind;
import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.registry.ModelVersions;
import io.riffle.modelops.serving.LoadedModel;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.schemas.ModelVersion;
import io.riffle.trainer.bench.SyntheticData;
import io.riffle.trainer.data.Dataset;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every kind's ONNX graph, loaded and validated the way the scorer loads models, gives the
 * trainer's own predictions within 1e-5 (the publishing gate's tolerance).
 */
class OnnxExportParityTest {

    private static final int FEATURES = 10;

    @ParameterizedTest
    // Popularity is a multiclass baseline with no binary score: MulticlassOnnxParityTest covers it.
    @EnumSource(value = ModelKind.class, mode = EnumSource.Mode.EXCLUDE, names = "POPULARITY")
    void onnxRuntimeMatchesPredict(ModelKind kind) throws Exception {
        Dataset train = SyntheticData.generate(6_000, FEATURES, 0.1, 31);
        Dataset validation = SyntheticData.generate(1_000, FEATURES, 0.1, 32);
        Dataset holdout = SyntheticData.generate(2_000, FEATURES, 0.1, 33);
        if (kind == ModelKind.GBDT) {
            // Missing values in training teach default branches; in the holdout they exercise them.
            train = SyntheticData.withMissing(train, 0.05, 34);
            holdout = SyntheticData.withMissing(holdout, 0.1, 35);
        }
        TrainerConfig config = TrainerConfig.defaults(kind).withMaxEpochs(5).withTrees(40);
        if (kind == ModelKind.MLP) {
            config = config.withHiddenLayers(List.of(16, 8));
        }
        TrainedModel model = ModelTrainer.train(config, train, validation, ProgressListener.NONE);
        float[] expected = model.predict(holdout);

        ModelVersion mv = ModelVersions.fromOnnx(model.toOnnx(), "parity-" + kind.id(), 1, kind.task(), FEATURES);
        float[] actual = new float[holdout.rows()];
        try (LoadedModel loaded = new ModelLoader(EngineOptions.defaults()).load(mv, FEATURES, null)) {
            loaded.score(holdout.x(), holdout.rows(), actual);
        }
        double maxDiff = 0;
        for (int r = 0; r < actual.length; r++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[r] - expected[r]));
        }
        assertThat(maxDiff).as("max |onnx - predict| for %s", kind).isLessThanOrEqualTo(1e-5);
        // Not a constant model: the parity would be trivial otherwise.
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : expected) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertThat(max - min).isGreaterThan(0.5f);
    }
}
