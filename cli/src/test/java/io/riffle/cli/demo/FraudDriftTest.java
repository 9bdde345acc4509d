package io.riffle.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.features.TransactionFeatures;
import io.riffle.modelops.validation.LoadedModel;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.schemas.ModelVersion;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's drift: after {@link TransactionGenerator#introduceNewFraud()} the bootstrap
 * classifier (fitted on pre-drift payments only) misses the new {@link FraudPattern#ACCOUNT_TAKEOVER}
 * fraud, and a classifier refitted on post-drift labels catches it. All models are scored by ONNX
 * Runtime, as the scorer scores them.
 */
class FraudDriftTest {

    private static final Logger LOG = LoggerFactory.getLogger(FraudDriftTest.class);
    private static final int BEFORE = 40_000;
    private static final int AFTER = 80_000;

    private static ModelVersion bootstrap;
    private static ModelVersion refit;
    /** A plain logistic regression (no hidden layer) fitted on the same post-drift window. */
    private static LogisticFit.Network linear;
    /** One stream the models never saw (another seed), drifting after {@link #BEFORE} events. */
    private static LabeledExamples before;
    private static LabeledExamples after;

    @BeforeAll
    static void fitAndGenerate() {
        bootstrap = BootstrapModels.fit(7, 80_000).get(0);
        // The retrained model: a window of post-drift traffic from yet another seed.
        LabeledExamples window = LabeledExamples.generateWithDrift(8, 100_000, 20_000);
        refit = BootstrapModels.fitClassifier(window.slice(0, 80_000), window.slice(80_000, 100_000), 8, 2);
        LogisticFit.Settings d = LogisticFit.Settings.defaults(8);
        linear = LogisticFit.fit(window.features(), window.labels(),
                new LogisticFit.Settings(0, d.epochs(), d.batchSize(), d.learningRate(), d.l2(), d.seed(), null));
        LabeledExamples stream = LabeledExamples.generateWithDrift(12_345, BEFORE + AFTER, BEFORE);
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
    void bootstrapClassifierMissesTheNewFraudAndARefitCatchesIt() throws Exception {
        float[] bootstrapBefore = score(bootstrap, before);
        float[] bootstrapAfter = score(bootstrap, after);
        float[] refitBefore = score(refit, before);
        float[] refitAfter = score(refit, after);

        double bootstrapAucBefore = RocAuc.of(bootstrapBefore, before.labels());
        double bootstrapAucAfter = RocAuc.of(bootstrapAfter, after.labels());
        double bootstrapTakeoverAuc = patternAuc(bootstrapAfter, after, FraudPattern.ACCOUNT_TAKEOVER);
        double refitAucBefore = RocAuc.of(refitBefore, before.labels());
        double refitAucAfter = RocAuc.of(refitAfter, after.labels());
        double refitTakeoverAuc = patternAuc(refitAfter, after, FraudPattern.ACCOUNT_TAKEOVER);
        LOG.info("bootstrap classifier AUC: before drift {}, after drift {}, account takeover vs genuine {}",
                bootstrapAucBefore, bootstrapAucAfter, bootstrapTakeoverAuc);
        LOG.info("refit classifier AUC: before drift {}, after drift {}, account takeover vs genuine {}",
                refitAucBefore, refitAucAfter, refitTakeoverAuc);
        LOG.info("account takeover caught at the review threshold {}: bootstrap {}, refit {}",
                BootstrapModels.CLASSIFIER_REVIEW, recall(bootstrapAfter, after, BootstrapModels.CLASSIFIER_REVIEW),
                recall(refitAfter, after, BootstrapModels.CLASSIFIER_REVIEW));

        // The drift hurts the bootstrap model, and the new kind is what it misses.
        assertThat(bootstrapAucBefore).isGreaterThan(0.97);
        assertThat(bootstrapAucAfter).isLessThan(bootstrapAucBefore - 0.1);
        assertThat(bootstrapTakeoverAuc).isLessThan(0.8);
        assertThat(recall(bootstrapAfter, after, BootstrapModels.CLASSIFIER_REVIEW)).isLessThan(0.2);
        // Retrained on labels that include it, the same kind of model catches it from the same features.
        assertThat(refitTakeoverAuc).isGreaterThan(0.97).isGreaterThan(bootstrapTakeoverAuc + 0.2);
        assertThat(refitAucAfter).isGreaterThan(0.97).isGreaterThan(bootstrapAucAfter + 0.1);
        assertThat(recall(refitAfter, after, BootstrapModels.CLASSIFIER_REVIEW)).isGreaterThan(0.8);
        // ... without forgetting the old kinds.
        for (FraudPattern old : List.of(FraudPattern.CARD_TESTING, FraudPattern.AMOUNT_SPIKE,
                FraudPattern.UNUSUAL_COUNTRY)) {
            assertThat(patternAuc(refitAfter, after, old)).as("refit AUC of %s", old).isGreaterThan(0.9);
        }
        assertThat(refit.getMetrics().get("holdout_auc")).isGreaterThan(0.97);
    }

    /** The signal needs no interaction term: even a linear model learns it, so every trainer kind can. */
    @Test
    void aLinearModelRetrainedAfterTheDriftAlsoCatchesTheNewFraud() throws Exception {
        double bootstrapTakeoverAuc = patternAuc(score(bootstrap, after), after, FraudPattern.ACCOUNT_TAKEOVER);
        float[] scores = new float[after.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = linear.score(after.features()[i]);
        }
        double takeoverAuc = patternAuc(scores, after, FraudPattern.ACCOUNT_TAKEOVER);
        LOG.info("linear refit AUC after drift {}, account takeover vs genuine {}",
                RocAuc.of(scores, after.labels()), takeoverAuc);
        assertThat(takeoverAuc).isGreaterThan(0.9).isGreaterThan(bootstrapTakeoverAuc + 0.2);
    }

    @Test
    void driftDoesNotChangeWhatTheBootstrapModelsTrainOn() {
        // Rows before the drift are those of a stream that never drifts ...
        LabeledExamples plain = LabeledExamples.generate(12_345, BEFORE);
        assertThat(before.labels()).isEqualTo(plain.labels());
        assertThat(before.eventTimes()).isEqualTo(plain.eventTimes());
        for (int i = 0; i < BEFORE; i++) {
            assertThat(before.features()[i]).isEqualTo(plain.features()[i]);
        }
        // ... and the bootstrap fit (which never drifts) is still deterministic for its seed.
        assertThat(BootstrapModels.fit(7, 80_000).get(0).getSha256()).isEqualTo(bootstrap.getSha256());
        assertThat(LabeledExamples.generateWithDrift(12_345, BEFORE, BEFORE).labels()).isEqualTo(plain.labels());
    }

    private static float[] score(ModelVersion mv, LabeledExamples examples) throws Exception {
        float[] scores = new float[examples.size()];
        try (LoadedModel model = new ModelLoader(EngineOptions.defaults())
                .load(mv, TransactionFeatures.COUNT, TransactionFeatures.SPEC_HASH)) {
            model.score(examples.rowMajor(), examples.size(), scores);
        }
        return scores;
    }

    /** AUC of {@code pattern}'s events against the genuine payments (other fraud left out). */
    private static double patternAuc(float[] scores, LabeledExamples examples, FraudPattern pattern) {
        double[] s = new double[scores.length];
        boolean[] y = new boolean[scores.length];
        int k = 0;
        for (int i = 0; i < scores.length; i++) {
            FraudPattern p = examples.patterns()[i];
            if (p == pattern || p == FraudPattern.NONE) {
                s[k] = scores[i];
                y[k++] = p == pattern;
            }
        }
        return RocAuc.of(Arrays.copyOf(s, k), Arrays.copyOf(y, k));
    }

    /** Share of the account-takeover events scoring at least {@code threshold}. */
    private static double recall(float[] scores, LabeledExamples examples, double threshold) {
        int hits = 0;
        int n = 0;
        for (int i = 0; i < scores.length; i++) {
            if (examples.patterns()[i] == FraudPattern.ACCOUNT_TAKEOVER) {
                n++;
                hits += scores[i] >= threshold ? 1 : 0;
            }
        }
        return (double) hits / n;
    }
}
