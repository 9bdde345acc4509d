package io.riffle.modelops.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.modelops.decision.Decider;
import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.engine.SessionCache;
import io.riffle.modelops.testing.TestModels;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.modelops.validation.ModelRejectedException;
import io.riffle.schemas.Decision;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServingModelsTest {
    private static final int FEATURES = 4;

    private final SessionCache cache = new SessionCache();
    private final ModelLoader loader = new ModelLoader(EngineOptions.defaults(), ModelLoader.DEFAULT_MAX_MODEL_BYTES,
            cache);

    @Test
    void readyOnlyWhenEveryRequiredModelServesAndNewerVersionsReplaceOlderOnes() throws Exception {
        try (ServingModels models = new ServingModels(loader, FEATURES, null, List.of("fraud", "anomaly"), 8)) {
            assertThat(models.ready()).isFalse();
            assertThat(models.missing()).isEqualTo(" (waiting for fraud, anomaly)");
            assertThat(models.device()).isEqualTo("none");

            models.install(models.load(TestModels.binaryMlp("fraud", 1, FEATURES, 1L)));
            assertThat(models.ready()).isFalse();
            assertThat(models.missing()).isEqualTo(" (waiting for anomaly)");
            models.install(models.load(TestModels.anomaly("anomaly", 1, FEATURES)));
            assertThat(models.ready()).isTrue();
            assertThat(models.missing()).isEmpty();
            // Slots in name order: that fixes each model's place in a score.
            assertThat(models.versions()).extracting(ModelVersion::getName).containsExactly("anomaly", "fraud");

            ModelVersion v2 = TestModels.binaryMlp("fraud", 2, FEATURES, 2L);
            assertThat(models.isNewer(v2)).isTrue();
            assertThat(models.isNewer(TestModels.binaryMlp("fraud", 1, FEATURES, 3L))).isFalse();
            models.install(models.load(v2));
            assertThat(models.get("fraud").versionNumber()).isEqualTo(2);
            assertThat(models.slots()).hasSize(2);
            // The replaced version's session reference was released: two models, two sessions.
            assertThat(cache.openSessions()).isEqualTo(2);
        }
        assertThat(cache.openSessions()).isZero();
    }

    @Test
    void aMulticlassModelsScoreCarriesItsTopKAndDecidesNothing() throws Exception {
        // Four features = four logits: row 0 ranks item-2, item-0, item-3; row 1 ranks item-1 first.
        ModelVersion recs = TestModels.identityLogits("recs", 7, FEATURES);
        ModelVersion fraud = TestModels.binaryMlp("fraud", 1, FEATURES, 5L);
        fraud = ModelVersion.newBuilder(fraud).setReviewThreshold(0).setBlockThreshold(0).build();
        try (ServingModels models = new ServingModels(loader, FEATURES, null, List.of(), 8, java.util.Map.of("recs", 3))) {
            models.install(models.load(recs));
            ScoreBatch batch = new ScoreBatch(8, FEATURES);
            float[][] rows = {{1f, -1f, 2f, 0.5f}, {0f, 5f, 0f, 0f}};
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(rows[i], 0, batch.values(), batch.nextOffset(), FEATURES);
                batch.add("e" + i, "user-1", 100L + i, 1_000L, null, false, 0L);
            }
            models.score(batch);
            assertThat(models.isMulticlass(0)).isTrue();
            List<Score> scores = new ArrayList<>();
            new ScoreAssembler(new Decider(Decision.REVIEW)).assemble(batch, models, 1_100L, (s, row) -> scores.add(s));
            double z = Math.exp(1) + Math.exp(-1) + Math.exp(2) + Math.exp(0.5);
            assertThat(scores.get(0).getModels()).singleElement().satisfies(ms -> {
                assertThat(ms.getTopK()).extracting(io.riffle.schemas.ClassScore::getLabel)
                        .containsExactly("item-2", "item-0", "item-3");
                assertThat(ms.getTopK().get(0).getProbability())
                        .isCloseTo((float) (Math.exp(2) / z), org.assertj.core.data.Offset.offset(1e-6f));
                assertThat(ms.getValue()).isEqualTo(ms.getTopK().get(0).getProbability());
            });
            assertThat(scores.get(1).getModels().get(0).getTopK().get(0).getLabel()).isEqualTo("item-1");
            // A recommendation is no risk: a champion multiclass model decides nothing.
            assertThat(scores).extracting(Score::getDecision).containsOnly(Decision.ALLOW);
            assertThat(Recommendations.of(scores.get(0))).singleElement().satisfies(r -> {
                assertThat(r.getEntityId()).isEqualTo("user-1");
                assertThat(r.getModel()).isEqualTo("recs");
                assertThat(r.getVersion()).isEqualTo(7);
                assertThat(r.getItems()).hasSize(3);
            });

            // Beside a binary model that reviews everything, the decision is the binary model's,
            // and the binary model's entry has no top-k.
            models.install(models.load(fraud));
            models.score(batch);
            scores.clear();
            new ScoreAssembler(new Decider(Decision.REVIEW)).assemble(batch, models, 1_100L, (s, row) -> scores.add(s));
            assertThat(scores).extracting(Score::getDecision).containsOnly(Decision.BLOCK);
            assertThat(scores.get(0).getModels()).extracting(m -> m.getTopK() == null).containsExactly(true, false);
            assertThat(Recommendations.of(scores.get(0))).hasSize(1);
        }
        // Without a top-k for its name, a model's scores carry the default 10 (at most K = 4 here).
        try (ServingModels models = new ServingModels(loader, FEATURES, null, List.of(), 8)) {
            models.install(models.load(recs));
            ScoreBatch batch = new ScoreBatch(8, FEATURES);
            batch.add("e0", "user-1", 100L, 1_000L, null, false, 0L);
            models.score(batch);
            assertThat(models.topK(0, 0)).hasSize(FEATURES);
        }
        assertThat(cache.openSessions()).isZero();
    }

    @Test
    void aVersionOfAnotherWidthIsRejectedBeforeItCanServe() {
        try (ServingModels models = new ServingModels(loader, FEATURES, null, List.of(), 8)) {
            assertThatThrownBy(() -> models.load(TestModels.binaryMlp("fraud", 1, FEATURES + 1, 1L)))
                    .isInstanceOf(ModelRejectedException.class);
            assertThat(models.ready()).isFalse();
        }
    }

    @Test
    void aBatchIsScoredByEveryModelAndAssembledIntoOneScorePerRow() throws Exception {
        ModelVersion fraud = TestModels.binaryMlp("fraud", 3, FEATURES, 5L);
        float[] rows = TestModels.randomRows(9L, 3, FEATURES);
        try (ServingModels models = new ServingModels(loader, FEATURES, null, List.of(), 8)) {
            models.install(models.load(fraud));
            ScoreBatch batch = new ScoreBatch(8, FEATURES);
            for (int i = 0; i < 3; i++) {
                System.arraycopy(rows, i * FEATURES, batch.values(), batch.nextOffset(), FEATURES);
                batch.add("e" + i, "card", 100L + i, 1_000L, null, false, 0L);
            }
            models.score(batch);

            List<Score> scores = new ArrayList<>();
            List<Integer> order = new ArrayList<>();
            int nonFinite = new ScoreAssembler(new Decider(Decision.REVIEW)).assemble(batch, models, 1_250L,
                    (score, row) -> {
                        scores.add(score);
                        order.add(row);
                    });
            assertThat(nonFinite).isZero();
            assertThat(order).containsExactly(0, 1, 2);
            for (int i = 0; i < 3; i++) {
                Score s = scores.get(i);
                float[] row = java.util.Arrays.copyOfRange(rows, i * FEATURES, (i + 1) * FEATURES);
                assertThat(s.getEventId()).isEqualTo("e" + i);
                assertThat(s.getEventTime()).isEqualTo(100L + i);
                assertThat(s.getLatencyMs()).isEqualTo(250L);
                assertThat(s.getModels()).singleElement().satisfies(ms -> {
                    assertThat(ms.getName()).isEqualTo("fraud");
                    assertThat(ms.getVersion()).isEqualTo(3);
                    assertThat(ms.getValue()).isCloseTo(TestModels.forward(fraud, row)[0], org.assertj.core.data.Offset.offset(1e-5f));
                });
            }
        }
    }

    @Test
    void nonFiniteOutputsAreCountedAndDecidedByTheFallback() throws Exception {
        try (ServingModels models = new ServingModels(loader, FEATURES, null, List.of(), 8)) {
            ModelVersion mv = TestModels.failsOnOutliers("fraud", 1, FEATURES);
            mv.setReviewThreshold(0.8);                         // ordinary rows score about 0.5
            mv.setBlockThreshold(0.9);
            models.install(models.load(mv));
            ScoreBatch batch = new ScoreBatch(8, FEATURES);
            batch.values()[0] = -1_000f;                        // Log of a negative number: NaN
            batch.add("nan", "card", 1L, 1L, null, false, 0L);
            batch.add("ordinary", "card", 1L, 1L, null, false, 0L);
            models.score(batch);
            List<Score> scores = new ArrayList<>();
            int nonFinite = new ScoreAssembler(new Decider(Decision.BLOCK)).assemble(batch, models, 1L,
                    (score, row) -> scores.add(score));
            assertThat(nonFinite).isEqualTo(1);
            assertThat(scores.get(0).getDecision()).isEqualTo(Decision.BLOCK);
            assertThat(scores.get(0).getReasons()).containsExactly("fraud:v1:output-not-finite=NaN->block");
            assertThat(scores.get(1).getDecision()).isEqualTo(Decision.ALLOW);
        }
    }
}
