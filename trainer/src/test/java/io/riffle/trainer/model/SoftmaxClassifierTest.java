package io.riffle.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.modelops.spec.ModelKind;
import io.riffle.trainer.eval.RankingMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SoftmaxClassifierTest {

    private static final int FEATURES = 12;
    private static final int CLASSES = 40;

    @ParameterizedTest
    @EnumSource(value = ModelKind.class, names = {"LOGISTIC", "MLP"})
    void learnsASeparableProblemFarAboveChanceAndPopularity(ModelKind kind) {
        MulticlassData.Problem train = MulticlassData.generate(8_000, FEATURES, CLASSES, 1.5, 1);
        MulticlassData.Problem validation = MulticlassData.generate(1_000, FEATURES, CLASSES, 1.5, 2);
        MulticlassData.Problem holdout = MulticlassData.generate(2_000, FEATURES, CLASSES, 1.5, 3);
        TrainerConfig config = TrainerConfig.multiclassDefaults(kind);
        SoftmaxClassifier model = SoftmaxClassifier.fit(config, FeatureMask.all(FEATURES), train.data(),
                train.classes(), validation.data(), validation.classes(), CLASSES, ProgressListener.NONE);

        float[] p = model.predict(holdout.data());
        for (int r = 0; r < holdout.data().rows(); r++) {
            double sum = 0;
            for (int j = 0; j < CLASSES; j++) {
                sum += p[r * CLASSES + j];
            }
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
        RankingMetrics.Result learned = RankingMetrics.evaluate(p, holdout.data().rows(), CLASSES, holdout.classes(), 5);
        PopularityModel popularity = PopularityModel.fit(train.data(), train.classes(), CLASSES, new int[0]);
        RankingMetrics.Result baseline = RankingMetrics.evaluate(popularity.predict(holdout.data()),
                holdout.data().rows(), CLASSES, holdout.classes(), 5);
        // Chance is 5/40 = 0.125; the classes' centres are 1.5 noise widths apart per feature.
        assertThat(learned.recallAtK()).as(model.summary()).isGreaterThan(0.8);
        assertThat(learned.recallAtK()).isGreaterThan(baseline.recallAtK() + 0.3);
        assertThat(learned.mrr()).isGreaterThan(baseline.mrr());
        assertThat(model.converged()).as(model.summary()).isTrue();
        assertThat(model.summary()).contains("converged after");
    }

    @Test
    void aCappedFitSaysSo() {
        MulticlassData.Problem train = MulticlassData.generate(2_000, FEATURES, CLASSES, 1.5, 1);
        MulticlassData.Problem validation = MulticlassData.generate(500, FEATURES, CLASSES, 1.5, 2);
        SoftmaxClassifier model = SoftmaxClassifier.fit(TrainerConfig.multiclassDefaults(ModelKind.LOGISTIC)
                        .withMaxEpochs(2), FeatureMask.all(FEATURES), train.data(), train.classes(), validation.data(),
                validation.classes(), CLASSES, ProgressListener.NONE);
        assertThat(model.converged()).isFalse();
        assertThat(model.summary()).contains("capped at 2 epochs");
    }

    @Test
    void classWeightingLiftsRareClasses() {
        long[] counts = {900, 90, 10, 0};
        float[] w = SoftmaxClassifier.classWeights(counts, 1000, true);
        // n / (present * count): 1000 / (3 * 900), 1000 / (3 * 90), 1000 / (3 * 10)
        assertThat(w[0]).isCloseTo(0.37037f, org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(w[1]).isCloseTo(3.7037f, org.assertj.core.data.Offset.offset(1e-4f));
        assertThat(w[2]).isCloseTo(33.333f, org.assertj.core.data.Offset.offset(1e-3f));
        assertThat(SoftmaxClassifier.classWeights(counts, 1000, false)).containsOnly(1f);
    }

    @Test
    void refusesAClassOutOfRange() {
        MulticlassData.Problem train = MulticlassData.generate(100, FEATURES, 3, 1.5, 1);
        int[] bad = train.classes().clone();
        bad[7] = 3;
        assertThatThrownBy(() -> SoftmaxClassifier.fit(TrainerConfig.multiclassDefaults(ModelKind.LOGISTIC),
                FeatureMask.all(FEATURES), train.data(), bad, train.data(), train.classes(), 3, ProgressListener.NONE))
                .hasMessageContaining("row 7 has class 3");
    }
}
