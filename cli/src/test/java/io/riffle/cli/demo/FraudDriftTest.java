package io.riffle.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.modelops.features.FeatureExtractor;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.ModelVersion;
import io.riffle.trainer.data.Dataset;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.trainer.model.ModelTrainer;
import io.riffle.trainer.model.TrainedModel;
import io.riffle.trainer.model.TrainerConfig;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's drift on {@code pipelines/demo.yaml}'s features, laid out like a 4-minute demo run
 * at 500 events/s: the bootstrap classifier (fitted on 2 minutes of pre-drift payments) on a
 * stream it never saw that drifts at minute 2, and classifiers refitted on a 3-minute window
 * that spans the drift, as the demo's trainer sees it (newest 20% held out). All but the
 * trainer's own MLP are scored by ONNX Runtime, as the scorer scores them.
 */
class FraudDriftTest {

    private static final Logger LOG = LoggerFactory.getLogger(FraudDriftTest.class);
    /** 2 minutes at 500 events/s. */
    private static final int BEFORE = 60_000;
    private static final int AFTER = 60_000;
    /** The trainer's window: 3 minutes, drifting after 2; its newest 20% is the holdout. */
    private static final int WINDOW = 90_000;
    private static final int WINDOW_TRAIN = 72_000;

    private static PipelineSpec pipeline;
    private static ModelVersion bootstrap;
    private static ModelVersion refit;
    private static LabeledExamples window;
    /** One stream the models never saw (another seed), drifting after {@link #BEFORE} events. */
    private static LabeledExamples before;
    private static LabeledExamples after;

    @BeforeAll
    static void fitAndGenerate() {
        pipeline = DemoPipeline.loadDefault();
        FeatureExtractor features = FeatureExtractor.of(pipeline);
        bootstrap = BootstrapModels.fit(pipeline, 7, 60_000).get(0);
        window = LabeledExamples.generateWithDrift(features, 8, WINDOW, BEFORE);
        refit = BootstrapModels.fitClassifier(pipeline.features(), window.slice(0, WINDOW_TRAIN),
                window.slice(WINDOW_TRAIN, WINDOW), 8, 2);
        LabeledExamples stream = LabeledExamples.generateWithDrift(features, 12_345, BEFORE + AFTER, BEFORE);
        before = stream.slice(0, BEFORE);
        after = stream.slice(BEFORE, BEFORE + AFTER);
    }

    @Test
    void theNewPatternAppearsOnlyAfterTheDriftAtItsShareOfTheFraud() {
        assertThat(before.count(FraudPattern.ACCOUNT_TAKEOVER)).isZero();
        int fraud = (int) Math.round(after.positiveRate() * after.size());
        double share = after.count(FraudPattern.ACCOUNT_TAKEOVER) / (double) fraud;
        LOG.info("after the drift: {} fraud events of {}, {} account takeover ({} of the fraud)",
                fraud, after.size(), after.count(FraudPattern.ACCOUNT_TAKEOVER), share);
        assertThat(share).isBetween(0.4, 0.6);
        assertThat(after.positiveRate()).isBetween(0.01, 0.02);
    }

    @Test
    void bootstrapClassifierMissesTheNewFraudAndARefitOnTheWindowCatchesIt() throws Exception {
        float[] bootstrapBefore = BootstrapModelsTest.score(bootstrap, before);
        float[] bootstrapAfter = BootstrapModelsTest.score(bootstrap, after);
        float[] refitBefore = BootstrapModelsTest.score(refit, before);
        float[] refitAfter = BootstrapModelsTest.score(refit, after);

        double bootstrapAucBefore = RocAuc.of(bootstrapBefore, before.labels());
        double bootstrapAucAfter = RocAuc.of(bootstrapAfter, after.labels());
        double bootstrapTakeoverAuc = Auc.ofPattern(bootstrapAfter, after, FraudPattern.ACCOUNT_TAKEOVER);
        double refitAucBefore = RocAuc.of(refitBefore, before.labels());
        double refitAucAfter = RocAuc.of(refitAfter, after.labels());
        double refitTakeoverAuc = Auc.ofPattern(refitAfter, after, FraudPattern.ACCOUNT_TAKEOVER);
        double review = BootstrapModels.CLASSIFIER_REVIEW;
        LOG.info("bootstrap classifier AUC: before drift {}, after drift {}, account takeover vs genuine {}",
                bootstrapAucBefore, bootstrapAucAfter, bootstrapTakeoverAuc);
        LOG.info("refit classifier AUC: before drift {}, after drift {}, account takeover vs genuine {}",
                refitAucBefore, refitAucAfter, refitTakeoverAuc);
        LOG.info("account takeover caught at the review threshold {}: bootstrap {}, refit {}", review,
                Auc.recall(bootstrapAfter, after, FraudPattern.ACCOUNT_TAKEOVER, review),
                Auc.recall(refitAfter, after, FraudPattern.ACCOUNT_TAKEOVER, review));

        // The drift hurts the bootstrap model, and the new kind is what it misses.
        assertThat(bootstrapAucBefore).isGreaterThan(0.97);
        assertThat(bootstrapAucAfter).isLessThan(bootstrapAucBefore - 0.1);
        assertThat(bootstrapTakeoverAuc).isLessThan(0.8);
        assertThat(Auc.recall(bootstrapAfter, after, FraudPattern.ACCOUNT_TAKEOVER, review)).isLessThan(0.2);
        // Refitted on a window whose labels include it, the same kind of model catches it from the same features.
        assertThat(refitTakeoverAuc).isGreaterThan(0.97).isGreaterThan(bootstrapTakeoverAuc + 0.2);
        assertThat(refitAucAfter).isGreaterThan(0.97).isGreaterThan(bootstrapAucAfter + 0.1);
        assertThat(Auc.recall(refitAfter, after, FraudPattern.ACCOUNT_TAKEOVER, review)).isGreaterThan(0.8);
        // ... without forgetting the old kinds.
        for (FraudPattern old : List.of(FraudPattern.CARD_TESTING, FraudPattern.AMOUNT_SPIKE,
                FraudPattern.UNUSUAL_COUNTRY)) {
            assertThat(Auc.ofPattern(refitAfter, after, old)).as("refit AUC of %s", old).isGreaterThan(0.9);
        }
        assertThat(refit.getMetrics().get("holdout_auc")).isGreaterThan(0.97);
    }

    /**
     * What the demo's fraud trainer does with the same window: the trainer's MLP on every feature
     * (the ones the bootstrap models leave out included) recovers too.
     */
    @Test
    void theDemoTrainersMlpRefittedOnTheWindowRecovers() {
        TrainerConfig config = TrainerConfig.defaults(ModelKind.MLP).withMaxEpochs(DemoTrainers.MAX_EPOCHS);
        TrainedModel mlp = ModelTrainer.train(config, dataset(window.slice(0, WINDOW_TRAIN)),
                dataset(window.slice(WINDOW_TRAIN, WINDOW)), null);
        float[] scores = mlp.predict(dataset(after));
        double auc = RocAuc.of(scores, after.labels());
        double takeoverAuc = Auc.ofPattern(scores, after, FraudPattern.ACCOUNT_TAKEOVER);
        double bootstrapAuc = RocAuc.of(bootstrapScoresAfter(), after.labels());
        LOG.info("trainer MLP ({}) AUC after drift {}, account takeover vs genuine {}; bootstrap {}", mlp.summary(),
                auc, takeoverAuc, bootstrapAuc);
        assertThat(auc).isGreaterThan(0.95).isGreaterThan(bootstrapAuc + 0.1);
        assertThat(takeoverAuc).isGreaterThan(0.95);
    }

    @Test
    void driftDoesNotChangeWhatTheBootstrapModelsTrainOn() {
        // Rows before the drift are those of a stream that never drifts.
        LabeledExamples plain = LabeledExamples.generate(FeatureExtractor.of(pipeline), 12_345, BEFORE);
        assertThat(before.labels()).isEqualTo(plain.labels());
        assertThat(before.eventTimes()).isEqualTo(plain.eventTimes());
        for (int i = 0; i < BEFORE; i++) {
            assertThat(before.features()[i]).isEqualTo(plain.features()[i]);
        }
    }

    private static float[] bootstrapScoresAfter() {
        try {
            return BootstrapModelsTest.score(bootstrap, after);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Dataset dataset(LabeledExamples examples) {
        int[] labels = new int[examples.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = examples.labels()[i] ? 1 : 0;
        }
        return new Dataset(examples.rowMajor(), examples.size(), examples.featureCount(), labels);
    }
}
