package io.riffle.trainer.model;

import io.riffle.modelops.spec.ModelKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.schemas.ModelTask;
import io.riffle.trainer.bench.SyntheticData;
import io.riffle.trainer.data.Dataset;
import io.riffle.trainer.eval.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DenseClassifierTest {

    private static final Dataset TRAIN = SyntheticData.generate(20_000, 12, 0.05, 1);
    private static final Dataset VALIDATION = SyntheticData.generate(3_000, 12, 0.05, 2);
    private static final Dataset TEST = SyntheticData.generate(5_000, 12, 0.05, 3);

    @Test
    void logisticSeparatesTheSyntheticSet() {
        TrainedModel model = ModelTrainer.train(TrainerConfig.defaults(ModelKind.LOGISTIC).withMaxEpochs(8),
                TRAIN, VALIDATION, ProgressListener.NONE);
        assertThat(model.kind()).isEqualTo(ModelKind.LOGISTIC);
        assertThat(model.task()).isEqualTo(ModelTask.BINARY);
        assertThat(model.features()).isEqualTo(12);
        assertThat(model.summary()).startsWith("logistic 12-1,");
        float[] scores = model.predict(TEST);
        UnitInterval.assertAllIn(scores);
        assertThat(Metrics.rocAuc(scores, TEST.labels())).isGreaterThan(0.95);
    }

    @Test
    void mlpSeparatesTheSyntheticSetAndReportsEveryEpoch() {
        List<double[]> epochs = new ArrayList<>();
        TrainedModel model = ModelTrainer.train(TrainerConfig.defaults(ModelKind.MLP).withMaxEpochs(6),
                TRAIN, VALIDATION, (e, t, v) -> epochs.add(new double[] {e, t, v}));
        assertThat(model.summary()).startsWith("mlp 12-32-16-1,");
        assertThat(epochs).isNotEmpty();
        assertThat(epochs.get(0)[0]).isEqualTo(1.0);
        assertThat(epochs).allSatisfy(e -> assertThat(e[2]).isFinite());
        assertThat(Metrics.rocAuc(model.predict(TEST), TEST.labels())).isGreaterThan(0.95);
    }

    @Test
    void aFitStoppedByTheEpochCapSaysSoAndOneStoppedByPatienceSaysItConverged() {
        TrainedModel capped = ModelTrainer.train(TrainerConfig.defaults(ModelKind.MLP).withMaxEpochs(2),
                TRAIN, VALIDATION, ProgressListener.NONE);
        assertThat(capped.converged()).isFalse();
        assertThat(capped.summary()).startsWith("mlp 12-32-16-1, capped at 2 epochs, still improving (best 2), val loss ");

        TrainedModel adam = DenseClassifier.fit(TrainerConfig.defaults(ModelKind.LOGISTIC), FeatureMask.all(12),
                TRAIN.slice(0, 5_000), VALIDATION, ProgressListener.NONE, false);
        assertThat(adam.converged()).isTrue();
        assertThat(adam.summary()).matches("logistic 12-1, converged after (\\d+) epochs \\(best \\d+\\), val loss .*");

        TrainedModel unmonitored = ModelTrainer.train(TrainerConfig.defaults(ModelKind.MLP).withMaxEpochs(2),
                TRAIN.slice(0, 2_000), VALIDATION.slice(0, 0), ProgressListener.NONE);
        assertThat(unmonitored.converged()).isFalse();
        assertThat(unmonitored.summary()).contains("capped at 2 epochs, no early stopping (no validation set)");
    }

    @Test
    void earlyStoppingStopsWhenValidationLossRisesAndKeepsTheBestEpoch() {
        // Pure-noise labels and a wide network: it can only memorise, so validation loss rises.
        Dataset noisyTrain = noise(400, 1);
        Dataset noisyValidation = noise(400, 2);
        List<Double> validationLosses = new ArrayList<>();
        TrainerConfig config = TrainerConfig.defaults(ModelKind.MLP)
                .withHiddenLayers(List.of(64, 64)).withLearningRate(0.01).withBatchSize(32)
                .withMaxEpochs(200).withPatience(3).withL2(0).withClassWeighting(false);
        TrainedModel model = ModelTrainer.train(config, noisyTrain, noisyValidation,
                (e, t, v) -> validationLosses.add(v));

        assertThat(validationLosses.size()).as("epochs run").isLessThan(200);
        double best = validationLosses.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        int bestIndex = validationLosses.indexOf(best);
        assertThat(validationLosses.size()).isEqualTo(bestIndex + 1 + 3);
        assertThat(validationLosses.get(validationLosses.size() - 1)).isGreaterThan(best);
        assertThat(model.converged()).isTrue();
        assertThat(model.summary()).contains("converged after " + validationLosses.size() + " epochs (best "
                + (bestIndex + 1) + ")");
        // The returned model is the best epoch's, not the last one's.
        double kept = Metrics.logLoss(model.predict(noisyValidation), noisyValidation.labels());
        assertThat(kept).isCloseTo(best, org.assertj.core.data.Offset.offset(1e-4));
    }

    @Test
    void rejectsNonFiniteInputsAndMissingClasses() {
        Dataset withNaN = SyntheticData.withMissing(TRAIN.slice(0, 500), 0.01, 3);
        assertThatThrownBy(() -> ModelTrainer.train(TrainerConfig.defaults(ModelKind.MLP), withNaN, VALIDATION,
                ProgressListener.NONE)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
        Dataset negativesOnly = TRAIN.withLabel(0);
        assertThatThrownBy(() -> ModelTrainer.train(TrainerConfig.defaults(ModelKind.MLP), negativesOnly,
                VALIDATION, ProgressListener.NONE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("both classes");
        // Newton's logistic fits train and validation rows together: both must lack a class.
        assertThatThrownBy(() -> ModelTrainer.train(TrainerConfig.defaults(ModelKind.LOGISTIC), negativesOnly,
                VALIDATION.withLabel(0), ProgressListener.NONE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("both classes");
    }

    @Test
    void parsesKindsCaseInsensitively() {
        assertThat(ModelKind.parse("Mlp")).isEqualTo(ModelKind.MLP);
        assertThat(ModelKind.AUTOENCODER.task()).isEqualTo(ModelTask.ANOMALY);
        assertThatThrownBy(() -> ModelKind.parse("forest")).hasMessageContaining("logistic, mlp, autoencoder, gbdt");
    }

    private static Dataset noise(int rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = 10;
        float[] x = new float[rows * d];
        int[] y = new int[rows];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < rows; i++) {
            y[i] = r.nextInt(2);
        }
        return new Dataset(x, rows, d, y);
    }
}
