package io.riffle.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.features.TransactionFeatures;
import io.riffle.modelops.validation.LoadedModel;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class BootstrapModelsTest {

    private static final Logger LOG = LoggerFactory.getLogger(BootstrapModelsTest.class);
    private static final int EXAMPLES = 80_000;

    private static List<ModelVersion> models;
    /** A stream the models never saw: another seed. */
    private static LabeledExamples fresh;

    @BeforeAll
    static void fit() {
        long start = System.nanoTime();
        models = BootstrapModels.fit(7, EXAMPLES);
        LOG.info("BootstrapModels.fit(7, {}) took {} ms", EXAMPLES,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        fresh = LabeledExamples.generate(12_345, 40_000);
    }

    @Test
    void returnsClassifierThenAnomalyModelStampedWithTheFeatureSpec() {
        assertThat(models).hasSize(2);
        ModelVersion classifier = models.get(0);
        ModelVersion anomaly = models.get(1);
        assertThat(classifier.getName()).isEqualTo(BootstrapModels.CLASSIFIER);
        assertThat(classifier.getTask()).isEqualTo(ModelTask.BINARY);
        assertThat(classifier.getVersion()).isEqualTo(1);
        assertThat(anomaly.getName()).isEqualTo(BootstrapModels.ANOMALY);
        assertThat(anomaly.getTask()).isEqualTo(ModelTask.ANOMALY);
        assertThat(anomaly.getVersion()).isEqualTo(1);
        for (ModelVersion mv : models) {
            assertThat(mv.getFeatureCount()).isEqualTo(TransactionFeatures.COUNT);
            assertThat(mv.getFeatureSpecHash()).isEqualTo(TransactionFeatures.SPEC_HASH);
            assertThat(mv.getFeatureNames()).isEqualTo(TransactionFeatures.NAMES);
            assertThat(mv.getReviewThreshold()).isGreaterThan(0).isLessThan(mv.getBlockThreshold());
            assertThat(mv.getBlockThreshold()).isLessThan(1);
            assertThat(mv.getMetrics()).containsKeys("train_auc", "holdout_auc", "positive_rate");
            assertThat(mv.getMetrics().get("positive_rate")).isBetween(0.005, 0.03);
            assertThat(mv.getTrainingWindow().getExampleCount()).isEqualTo(EXAMPLES);
            LOG.info("{} v{}: review {} block {} metrics {}", mv.getName(), mv.getVersion(),
                    mv.getReviewThreshold(), mv.getBlockThreshold(), mv.getMetrics());
        }
        assertThat(classifier.getMetrics().get("holdout_auc")).isGreaterThan(0.95);
    }

    @Test
    void classifierDetectsTheGeneratorsFraudUnderOnnxRuntime() throws Exception {
        float[] scores = scoreWithOnnxRuntime(models.get(0));
        double auc = RocAuc.of(scores, fresh.labels());
        LOG.info("classifier AUC on a fresh stream: {}", auc);
        assertThat(auc).isGreaterThan(0.9);
        for (FraudPattern pattern : List.of(FraudPattern.CARD_TESTING, FraudPattern.AMOUNT_SPIKE,
                FraudPattern.UNUSUAL_COUNTRY)) {
            assertThat(patternAuc(scores, pattern)).as("AUC of %s against genuine payments", pattern).isGreaterThan(0.9);
        }
    }

    @Test
    void classifierHoldsUpOnAStreamOfAnotherShape() throws Exception {
        // Ten times fewer cards, each paying ten times as often as in the training stream.
        LabeledExamples other = LabeledExamples.generate(99, 30_000, 2_000, 200);
        float[] scores = new float[other.size()];
        try (LoadedModel model = new ModelLoader(EngineOptions.defaults())
                .load(models.get(0), TransactionFeatures.COUNT, TransactionFeatures.SPEC_HASH)) {
            model.score(other.rowMajor(), other.size(), scores);
        }
        assertThat(RocAuc.of(scores, other.labels())).isGreaterThan(0.95);
    }

    @Test
    void anomalyModelScoresFraudHigherThanGenuinePayments() throws Exception {
        float[] scores = scoreWithOnnxRuntime(models.get(1));
        double auc = RocAuc.of(scores, fresh.labels());
        double fraudMean = 0;
        double genuineMean = 0;
        int frauds = 0;
        for (int i = 0; i < scores.length; i++) {
            assertThat(scores[i]).isBetween(0f, 1f);
            if (fresh.labels()[i]) {
                fraudMean += scores[i];
                frauds++;
            } else {
                genuineMean += scores[i];
            }
        }
        fraudMean /= frauds;
        genuineMean /= scores.length - frauds;
        LOG.info("anomaly AUC on a fresh stream: {} (mean score fraud {} genuine {})", auc, fraudMean, genuineMean);
        assertThat(auc).isGreaterThan(0.7);
        assertThat(fraudMean).isGreaterThan(genuineMean);
    }

    @Test
    void refitGivesANewClassifierVersion() throws Exception {
        ModelVersion v2 = BootstrapModels.refitClassifier(8, 40_000, 2);
        assertThat(v2.getName()).isEqualTo(BootstrapModels.CLASSIFIER);
        assertThat(v2.getVersion()).isEqualTo(2);
        assertThat(v2.getParentVersion()).isEqualTo(1);
        assertThat(v2.getSha256()).isNotEqualTo(models.get(0).getSha256());
        assertThat(RocAuc.of(scoreWithOnnxRuntime(v2), fresh.labels())).isGreaterThan(0.9);
    }

    @Test
    void fittingIsDeterministicForASeed() {
        ModelVersion a = BootstrapModels.refitClassifier(3, 5_000, 1);
        ModelVersion b = BootstrapModels.refitClassifier(3, 5_000, 1);
        assertThat(a.getSha256()).isEqualTo(b.getSha256());
    }

    private static float[] scoreWithOnnxRuntime(ModelVersion mv) throws Exception {
        float[] scores = new float[fresh.size()];
        try (LoadedModel model = new ModelLoader(EngineOptions.defaults())
                .load(mv, TransactionFeatures.COUNT, TransactionFeatures.SPEC_HASH)) {
            model.score(fresh.rowMajor(), fresh.size(), scores);
        }
        return scores;
    }

    private static double patternAuc(float[] scores, FraudPattern pattern) {
        int n = 0;
        for (FraudPattern p : fresh.patterns()) {
            n += p == pattern || p == FraudPattern.NONE ? 1 : 0;
        }
        double[] s = new double[n];
        boolean[] y = new boolean[n];
        int k = 0;
        for (int i = 0; i < scores.length; i++) {
            FraudPattern p = fresh.patterns()[i];
            if (p == pattern || p == FraudPattern.NONE) {
                s[k] = scores[i];
                y[k++] = p == pattern;
            }
        }
        return RocAuc.of(s, y);
    }
}
