package io.riffle.trainer.model;

import io.riffle.modelops.spec.ModelKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.registry.ModelVersions;
import io.riffle.modelops.serving.LoadedModel;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.schemas.ModelVersion;
import io.riffle.trainer.bench.SyntheticData;
import io.riffle.trainer.data.Dataset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A model trained with a feature ignored gives, in ONNX Runtime, exactly the same scores whatever
 * that feature holds at serving time, while a feature it uses still moves them. Feature 0 is the
 * one ignored: in {@link SyntheticData} it separates the classes (positives are shifted on it),
 * so a model that could use it would.
 */
class IgnoredFeaturesTest {

    private static final int FEATURES = 10;
    private static final int IGNORED = 0;
    /** Also shifted for positives, so every kind uses it. */
    private static final int USED = 1;
    private static final float[] SERVED_VALUES = {0f, -1e6f, 1e6f, 3.4e38f, Float.NaN, Float.POSITIVE_INFINITY};

    @ParameterizedTest
    // Popularity is a multiclass baseline with no binary score: MulticlassOnnxParityTest covers it.
    @EnumSource(value = ModelKind.class, mode = EnumSource.Mode.EXCLUDE, names = "POPULARITY")
    void anIgnoredFeatureHasNoInfluenceOnTheServedScoreAndAUsedOneHas(ModelKind kind) throws Exception {
        Dataset train = SyntheticData.generate(6_000, FEATURES, 0.1, 41);
        Dataset validation = SyntheticData.generate(1_000, FEATURES, 0.1, 42);
        Dataset holdout = SyntheticData.generate(1_000, FEATURES, 0.1, 43);
        TrainerConfig config = TrainerConfig.defaults(kind).withMaxEpochs(5).withTrees(40);
        if (kind == ModelKind.MLP) {
            config = config.withHiddenLayers(List.of(16, 8));
        }
        FeatureMask mask = FeatureMask.ignoringColumns(FEATURES, Set.of(IGNORED));
        TrainedModel model = ModelTrainer.train(config, mask, train, validation, ProgressListener.NONE);
        assertThat(model.features()).isEqualTo(FEATURES);
        assertThat(model.summary()).contains("1 of 10 features ignored");

        try (LoadedModel served = load(model, kind)) {
            float[] baseline = score(served, holdout);
            assertThat(maxDiff(baseline, model.predict(holdout))).as("parity").isLessThanOrEqualTo(1e-5);
            for (float v : SERVED_VALUES) {
                Dataset changed = withColumn(holdout, IGNORED, v);
                assertThat(score(served, changed)).as("scores with feature %d = %s", IGNORED, v)
                        .containsExactly(baseline);
                assertThat(model.predict(changed)).as("own predictions with feature %d = %s", IGNORED, v)
                        .containsExactly(model.predict(holdout));
            }
            float[] moved = score(served, shifted(holdout, USED, 3.0));
            assertThat(maxDiff(moved, baseline)).as("influence of used feature %d", USED).isGreaterThan(1e-3);
        }
    }

    @Test
    void theDenseKindsDoNotNeedFiniteValuesInAnIgnoredColumn() {
        Dataset train = withColumn(SyntheticData.generate(3_000, FEATURES, 0.1, 44), IGNORED, Float.NaN);
        Dataset validation = SyntheticData.generate(500, FEATURES, 0.1, 45);
        FeatureMask mask = FeatureMask.ignoringColumns(FEATURES, Set.of(IGNORED));
        TrainedModel model = ModelTrainer.train(TrainerConfig.defaults(ModelKind.LOGISTIC).withMaxEpochs(2), mask,
                train, validation, ProgressListener.NONE);
        for (float s : model.predict(validation)) {
            assertThat(s).isBetween(0f, 1f);
        }
    }

    @Test
    void masksAreBuiltFromFeatureNamesAndRejectUnknownOnes() {
        List<String> names = List.of("amount", "count_1m", "count_24h");
        FeatureMask mask = FeatureMask.ignoring(names, List.of("count_24h"));
        assertThat(mask.used()).isEqualTo(2);
        assertThat(mask.ignores(2)).isTrue();
        assertThat(mask.ignores(0)).isFalse();
        assertThat(FeatureMask.all(3).ignoresAny()).isFalse();
        assertThatThrownBy(() -> FeatureMask.ignoring(names, List.of("count_7d")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'count_7d'").hasMessageContaining("count_24h");
        assertThatThrownBy(() -> FeatureMask.ignoring(names, names))
                .hasMessageContaining("every one of the 3 features is ignored");
    }

    @Test
    void theMaskMustFitTheData() {
        Dataset train = SyntheticData.generate(500, FEATURES, 0.1, 46);
        assertThatThrownBy(() -> ModelTrainer.train(TrainerConfig.defaults(ModelKind.LOGISTIC),
                FeatureMask.all(FEATURES + 1), train, train, ProgressListener.NONE))
                .hasMessageContaining("mask is for 11 features");
    }

    private static LoadedModel load(TrainedModel model, ModelKind kind) throws Exception {
        ModelVersion mv = ModelVersions.fromOnnx(model.toOnnx(), "ignored-" + kind.id(), 1, kind.task(), FEATURES);
        return new ModelLoader(EngineOptions.defaults()).load(mv, FEATURES, null);
    }

    private static float[] score(LoadedModel model, Dataset data) {
        float[] out = new float[data.rows()];
        model.score(data.x(), data.rows(), out);
        return out;
    }

    private static Dataset withColumn(Dataset data, int column, float value) {
        float[] x = data.x().clone();
        for (int r = 0; r < data.rows(); r++) {
            x[r * data.features() + column] = value;
        }
        return new Dataset(x, data.rows(), data.features(), data.labels().clone());
    }

    /** Adds {@code sds} of the column's spread to every row's value of {@code column}. */
    private static Dataset shifted(Dataset data, int column, double sds) {
        int d = data.features();
        double sum = 0;
        double sumSq = 0;
        for (int r = 0; r < data.rows(); r++) {
            double v = data.x()[r * d + column];
            sum += v;
            sumSq += v * v;
        }
        double mean = sum / data.rows();
        double std = Math.sqrt(sumSq / data.rows() - mean * mean);
        float[] x = data.x().clone();
        for (int r = 0; r < data.rows(); r++) {
            x[r * d + column] += (float) (sds * std);
        }
        return new Dataset(x, data.rows(), d, data.labels().clone());
    }

    private static double maxDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
