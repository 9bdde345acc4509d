package io.riffle.trainer.model;

import io.riffle.modelops.spec.ModelKind;
import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.trainer.bench.SyntheticData;
import io.riffle.trainer.data.Dataset;
import io.riffle.trainer.eval.Metrics;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GradientBoostedTreesTest {

    @Test
    void separatesTheSyntheticSetWithAndWithoutMissingValues() {
        Dataset train = SyntheticData.generate(20_000, 12, 0.05, 21);
        Dataset validation = SyntheticData.generate(3_000, 12, 0.05, 22);
        Dataset test = SyntheticData.generate(5_000, 12, 0.05, 23);
        AtomicInteger rounds = new AtomicInteger();
        TrainedModel model = ModelTrainer.train(TrainerConfig.defaults(ModelKind.GBDT).withTrees(60), train, validation,
                (e, t, v) -> rounds.set(e));
        assertThat(rounds.get()).isBetween(1, 60);
        assertThat(model.summary()).startsWith("gbdt ");
        assertThat(Metrics.rocAuc(model.predict(test), test.labels())).isGreaterThan(0.95);

        Dataset missingTest = SyntheticData.withMissing(test, 0.05, 24);
        float[] withMissing = model.predict(missingTest);
        UnitInterval.assertAllIn(withMissing);
        assertThat(Metrics.rocAuc(withMissing, missingTest.labels())).isGreaterThan(0.9);
    }

    @Test
    void readsBaseScoreInBothJsonForms() {
        assertThat(XGBoostTrees.parseBaseScore("[2.5E-2]")).isEqualTo(0.025);
        assertThat(XGBoostTrees.parseBaseScore("5E-1")).isEqualTo(0.5);
        assertThat(GradientBoostedTrees.parseEval("[3]\ttrain-logloss:0.41\tvalidation-logloss:0.43"))
                .containsEntry("train", 0.41).containsEntry("validation", 0.43);
    }
}
