package io.riffle.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.features.FeatureExtractor;
import io.riffle.modelops.spec.FeatureSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.serving.LoadedModel;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bootstrap models over {@code pipelines/demo.yaml}'s features, scored by ONNX Runtime as the
 * scorer scores them, on generated streams they never saw.
 */
class BootstrapModelsTest {

    private static final Logger LOG = LoggerFactory.getLogger(BootstrapModelsTest.class);
    /** As many as the demo fits on: 2 minutes of its traffic. */
    private static final int EXAMPLES = 60_000;

    private static PipelineSpec pipeline;
    private static FeatureSpec spec;
    private static List<ModelVersion> models;
    /** Another seed's stream, 5 minutes long: its first 2 minutes, and its last minute. */
    private static LabeledExamples fresh;
    private static LabeledExamples late;

    @BeforeAll
    static void fit() {
        pipeline = DemoPipeline.loadDefault();
        spec = pipeline.features();
        models = BootstrapModels.fit(pipeline, 7, EXAMPLES);
        LabeledExamples stream = LabeledExamples.generate(FeatureExtractor.of(pipeline), 12_345, 150_000);
        fresh = stream.slice(0, 60_000);
        late = stream.slice(120_000, 150_000);
    }

    @Test
    void returnsClassifierThenAnomalyModelStampedWithThePipelinesFeatures() {
        assertThat(models).hasSize(2);
        ModelVersion classifier = models.get(0);
        ModelVersion anomaly = models.get(1);
        assertThat(classifier.getName()).isEqualTo(BootstrapModels.CLASSIFIER);
        assertThat(classifier.getTask()).isEqualTo(ModelTask.BINARY);
        assertThat(classifier.getVersion()).isEqualTo(1);
        assertThat(anomaly.getName()).isEqualTo(BootstrapModels.ANOMALY);
        assertThat(anomaly.getTask()).isEqualTo(ModelTask.ANOMALY);
        assertThat(anomaly.getVersion()).isEqualTo(1);
        int amount = spec.names().indexOf("amount_log1p");
        int mobile = spec.names().indexOf("channel_MOBILE");
        for (ModelVersion mv : models) {
            assertThat(mv.getFeatureCount()).isEqualTo(spec.count()).isEqualTo(46);
            assertThat(mv.getFeatureSpecHash()).isEqualTo(spec.hash());
            assertThat(mv.getFeatureNames()).isEqualTo(spec.names());
            assertThat(mv.getReviewThreshold()).isGreaterThan(0).isLessThan(mv.getBlockThreshold());
            assertThat(mv.getBlockThreshold()).isLessThan(1);
            assertThat(mv.getMetrics()).containsKeys("train_auc", "holdout_auc", "positive_rate", "features_used");
            // the training slice's score histogram, for the dashboard's PSI
            assertThat(mv.getMetrics()).containsKeys("score_hist_00", "score_hist_09", "score_hist_19");
            assertThat(java.util.stream.IntStream.range(0, 20)
                    .mapToDouble(k -> mv.getMetrics().get(String.format("score_hist_%02d", k))).sum()).isPositive();
            assertThat(mv.getMetrics().get("positive_rate")).isBetween(0.005, 0.03);
            assertThat(mv.getTrainingWindow().getExampleCount()).isEqualTo(EXAMPLES);
            // The training rows' statistics, for reason codes: log amounts around log(25 dollars) ...
            assertThat(mv.getFeatureStats().getMean()).hasSize(spec.count());
            assertThat(mv.getFeatureStats().getMean().get(amount)).isBetween(3f, 3.6f);
            assertThat(mv.getFeatureStats().getStd().get(amount)).isBetween(0.8f, 1.3f);
            // ... and no mobile-wallet payment before the drift.
            assertThat(mv.getFeatureStats().getStd().get(mobile)).isZero();
            LOG.info("{} v{}: review {} block {} metrics {}", mv.getName(), mv.getVersion(),
                    mv.getReviewThreshold(), mv.getBlockThreshold(), mv.getMetrics());
        }
        assertThat(classifier.getMetrics().get("holdout_auc")).isGreaterThan(0.97);
    }

    @Test
    void classifierDetectsTheGeneratorsFraudUnderOnnxRuntime() throws Exception {
        float[] scores = score(models.get(0), fresh);
        double auc = RocAuc.of(scores, fresh.labels());
        LOG.info("classifier AUC on a fresh stream: {}", auc);
        assertThat(auc).isGreaterThan(0.97);
        for (FraudPattern pattern : List.of(FraudPattern.CARD_TESTING, FraudPattern.AMOUNT_SPIKE,
                FraudPattern.UNUSUAL_COUNTRY)) {
            assertThat(Auc.ofPattern(scores, fresh, pattern)).as("AUC of %s against genuine payments", pattern)
                    .isGreaterThan(0.95);
        }
    }

    /**
     * Minute 4-5 of a stream, twice as old as the training stream ever got: the windows the models
     * leave out have grown (count_24h averages about 14 instead of 4), the ones they use have not.
     */
    @Test
    void classifierHoldsUpAsTheStreamAges() throws Exception {
        double auc = RocAuc.of(score(models.get(0), late), late.labels());
        LOG.info("classifier AUC in minute 4-5 of a fresh stream: {}", auc);
        assertThat(auc).isGreaterThan(0.97);
    }

    @Test
    void classifierHoldsUpOnAStreamOfAnotherShape() throws Exception {
        // Ten times fewer cards, each paying four times as often as in the training stream.
        LabeledExamples other = LabeledExamples.generate(FeatureExtractor.of(pipeline), 99, 30_000, 2_000, 200);
        double auc = RocAuc.of(score(models.get(0), other), other.labels());
        LOG.info("classifier AUC on 2,000 cards at 200 events/s: {}", auc);
        assertThat(auc).isGreaterThan(0.95);
    }

    @Test
    void anomalyModelScoresFraudHigherThanGenuinePayments() throws Exception {
        float[] scores = score(models.get(1), fresh);
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
        LOG.info("anomaly AUC on a fresh stream: {} (mean score fraud {} genuine {}); in minute 4-5: {}", auc,
                fraudMean, genuineMean, RocAuc.of(score(models.get(1), late), late.labels()));
        assertThat(auc).isGreaterThan(0.8);
        assertThat(fraudMean).isGreaterThan(genuineMean);
    }

    /** What the models leave out cannot move their scores, however far it goes at serving time. */
    @Test
    void leftOutFeaturesDoNotMoveTheScores() throws Exception {
        LabeledExamples rows = fresh.slice(0, 5_000);
        LabeledExamples moved = rows.slice(0, 5_000);
        float[][] x = moved.features();
        for (int r = 0; r < x.length; r++) {
            x[r] = x[r].clone();
            x[r][index("hour_sin")] = -1f;
            x[r][index("hour_cos")] = 0f;
            x[r][index("channel_MOBILE")] = 1f;
            x[r][index("count_24h")] *= 50;
            x[r][index("amount_max_24h")] += 10_000;
            x[r][index("time_since_previous")] = 86_400f - x[r][index("time_since_previous")];
        }
        for (ModelVersion mv : models) {
            float[] before = score(mv, rows);
            float[] after = score(mv, moved);
            for (int i = 0; i < before.length; i++) {
                assertThat(after[i]).as("%s row %d", mv.getName(), i).isCloseTo(before[i], within(1e-6f));
            }
        }
    }

    @Test
    void refitGivesANewClassifierVersion() throws Exception {
        ModelVersion v2 = BootstrapModels.refitClassifier(pipeline, 8, 40_000, 2);
        assertThat(v2.getName()).isEqualTo(BootstrapModels.CLASSIFIER);
        assertThat(v2.getVersion()).isEqualTo(2);
        assertThat(v2.getParentVersion()).isEqualTo(1);
        assertThat(v2.getFeatureSpecHash()).isEqualTo(spec.hash());
        assertThat(v2.getSha256()).isNotEqualTo(models.get(0).getSha256());
        assertThat(RocAuc.of(score(v2, fresh), fresh.labels())).isGreaterThan(0.95);
    }

    @Test
    void fittingIsDeterministicForASeed() {
        ModelVersion a = BootstrapModels.refitClassifier(pipeline, 3, 5_000, 1);
        ModelVersion b = BootstrapModels.refitClassifier(pipeline, 3, 5_000, 1);
        assertThat(a.getSha256()).isEqualTo(b.getSha256());
    }

    private static int index(String feature) {
        int i = spec.names().indexOf(feature);
        assertThat(i).as(feature).isNotNegative();
        return i;
    }

    /** Scores as the scorer does: ONNX Runtime, after the loader's checks of the width and spec hash. */
    static float[] score(ModelVersion mv, LabeledExamples examples) throws Exception {
        float[] scores = new float[examples.size()];
        try (LoadedModel model = new ModelLoader(EngineOptions.defaults())
                .load(mv, mv.getFeatureCount(), mv.getFeatureSpecHash())) {
            model.score(examples.rowMajor(), examples.size(), scores);
        }
        return scores;
    }
}
