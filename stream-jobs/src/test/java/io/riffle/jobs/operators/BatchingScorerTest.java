package io.riffle.jobs.operators;

import io.riffle.modelops.validation.ModelPolicy;
import io.riffle.modelops.decision.DecisionPolicy;
import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.testing.TestModels;
import io.riffle.modelops.serving.LoadedModel;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.Decision;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.ModelEventKind;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelScore;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class BatchingScorerTest {
    static final int FEATURES = 16;
    static final int BATCH = 4;
    static final long DELAY_MS = 1000;

    private final List<TwoInputStreamOperatorTestHarness<FeatureVector, ModelVersion, Score>> open = new ArrayList<>();

    @AfterEach
    void closeHarnesses() throws Exception {
        for (var h : open) {
            h.close();
        }
    }

    private TwoInputStreamOperatorTestHarness<FeatureVector, ModelVersion, Score> harness(List<String> required,
                                                                                        int maxWaiting) throws Exception {
        return harness(required, maxWaiting, DecisionPolicy.DEFAULT_ON_FAILURE);
    }

    private TwoInputStreamOperatorTestHarness<FeatureVector, ModelVersion, Score> harness(List<String> required,
            int maxWaiting, Decision onModelFailure) throws Exception {
        ScorerConfig config = new ScorerConfig(BATCH, DELAY_MS, maxWaiting, required, EngineOptions.defaults(),
                FEATURES, null, "riffle.events", onModelFailure, ModelPolicy.defaults(), ModelLoader.DEFAULT_MAX_MODEL_BYTES,
                java.util.Map.of("recs", 2), new ScorerConfig.BatchLimits(BATCH * 8, DELAY_MS * 5));   // on the CPU: not used
        var h = new TwoInputStreamOperatorTestHarness<>(new BatchingScorer<>(config, new FeatureVectorRows(config.featureCount(), config.sourceTopic())));
        open.add(h);
        return h;
    }

    private TwoInputStreamOperatorTestHarness<FeatureVector, ModelVersion, Score> started() throws Exception {
        return started(DecisionPolicy.DEFAULT_ON_FAILURE);
    }

    private TwoInputStreamOperatorTestHarness<FeatureVector, ModelVersion, Score> started(Decision onModelFailure)
            throws Exception {
        var h = harness(List.of(), 10, onModelFailure);
        h.setProcessingTime(0);
        h.open();
        return h;
    }

    static ModelVersion fraud(int version) {
        return TestModels.binaryMlp("fraud", version, FEATURES, version);
    }

    static FeatureVector vector(int i) {
        Random random = new Random(i);
        List<Float> values = new ArrayList<>(FEATURES);
        for (int j = 0; j < FEATURES; j++) {
            values.add((float) random.nextGaussian());
        }
        return new FeatureVector("e-" + i, "card-" + (i % 3), 1_000L + i, 500L + i, "spec", values, null);
    }

    private static void send(TwoInputStreamOperatorTestHarness<FeatureVector, ModelVersion, Score> h, int from, int to)
            throws Exception {
        for (int i = from; i < to; i++) {
            h.processElement1(vector(i), 1_000L + i);
        }
    }

    private static List<Score> scores(TwoInputStreamOperatorTestHarness<FeatureVector, ModelVersion, Score> h) {
        return h.extractOutputValues();
    }

    private static List<String> ids(List<Score> scores) {
        return scores.stream().map(Score::getEventId).collect(Collectors.toList());
    }

    private static List<String> range(int from, int to) {
        List<String> ids = new ArrayList<>();
        for (int i = from; i < to; i++) {
            ids.add("e-" + i);
        }
        return ids;
    }

    @Test
    void scoresABatchWhenItIsFull() throws Exception {
        var h = started();
        h.processElement2(fraud(1), 0);
        send(h, 0, BATCH - 1);
        assertThat(scores(h)).isEmpty();
        send(h, BATCH - 1, BATCH);
        assertThat(ids(scores(h))).containsExactlyElementsOf(range(0, BATCH));
    }

    @Test
    void scoresAPartialBatchWhenTheDelayTimerFires() throws Exception {
        var h = started();
        h.processElement2(fraud(1), 0);
        h.setProcessingTime(100);
        send(h, 0, 2);
        h.setProcessingTime(100 + DELAY_MS - 1);
        assertThat(scores(h)).isEmpty();
        h.setProcessingTime(100 + DELAY_MS);
        assertThat(ids(scores(h))).containsExactlyElementsOf(range(0, 2));
        assertThat(scores(h)).allSatisfy(s -> assertThat(s.getScoreTime()).isEqualTo(100 + DELAY_MS));
    }

    @Test
    void aTimerOfAnEarlierBatchDoesNotCutTheNextOneShort() throws Exception {
        var h = started();
        h.processElement2(fraud(1), 0);
        send(h, 0, BATCH);            // full batch at t=0; its timer (t=1000) stays registered
        h.setProcessingTime(600);
        send(h, BATCH, BATCH + 1);     // new batch, deadline t=1600
        h.setProcessingTime(1000);
        assertThat(scores(h)).hasSize(BATCH);
        h.setProcessingTime(1600);
        assertThat(scores(h)).hasSize(BATCH + 1);
    }

    @Test
    void flushesBeforeTheCheckpointBarrier() throws Exception {
        var h = started();
        h.processElement2(fraud(1), 0);
        send(h, 0, 2);
        h.prepareSnapshotPreBarrier(1);
        assertThat(ids(scores(h))).containsExactlyElementsOf(range(0, 2));
    }

    @Test
    void flushesAtEndOfInput() throws Exception {
        var h = started();
        h.processElement2(fraud(1), 0);
        send(h, 0, 3);
        h.endInput1();
        assertThat(ids(scores(h))).containsExactlyElementsOf(range(0, 3));
    }

    @Test
    void watermarksNeverOvertakeBufferedRecords() throws Exception {
        var h = started();
        h.processElement2(fraud(1), 0);
        send(h, 0, 2);
        h.processWatermark1(new Watermark(1_001));
        List<Object> out = new ArrayList<>(h.getOutput());
        assertThat(out).hasSize(3);
        assertThat(out.get(0)).isInstanceOf(StreamRecord.class);
        assertThat(out.get(1)).isInstanceOf(StreamRecord.class);
        assertThat(out.get(2)).isEqualTo(new Watermark(1_001));
    }

    @Test
    void theModelsInputNeverHoldsTheWatermarkBack() throws Exception {
        var h = started();
        h.processElement2(fraud(1), 0);
        h.processWatermark1(new Watermark(5_000));
        assertThat(h.getOutput()).contains(new Watermark(5_000));
    }

    @Test
    void scoresMatchTheModelAndThresholdsDecide() throws Exception {
        var h = started();
        ModelVersion mv = ModelVersion.newBuilder(fraud(1)).setReviewThreshold(0.3).setBlockThreshold(0.6).build();
        h.processElement2(mv, 0);
        send(h, 0, BATCH);
        float[] rows = new float[BATCH * FEATURES];
        for (int i = 0; i < BATCH; i++) {
            List<Float> v = vector(i).getValues();
            for (int j = 0; j < FEATURES; j++) {
                rows[i * FEATURES + j] = v.get(j);
            }
        }
        float[] expected = new float[BATCH];
        try (LoadedModel direct = new ModelLoader(EngineOptions.defaults()).load(mv, FEATURES, null)) {
            direct.score(rows, BATCH, expected);
        }
        List<Score> scores = scores(h);
        for (int i = 0; i < BATCH; i++) {
            Score s = scores.get(i);
            ModelScore ms = s.getModels().get(0);
            assertThat(ms.getName()).isEqualTo("fraud");
            assertThat(ms.getVersion()).isEqualTo(1);
            assertThat(ms.getValue()).isEqualTo(expected[i]);
            Decision want = expected[i] >= 0.6 ? Decision.BLOCK : expected[i] >= 0.3 ? Decision.REVIEW : Decision.ALLOW;
            assertThat(s.getDecision()).isEqualTo(want);
            assertThat(s.getReasons()).hasSize(want == Decision.ALLOW ? 0 : 1);
            assertThat(s.getLatencyMs()).isEqualTo(s.getScoreTime() - s.getIngestTime());
        }
    }

    @Test
    void flaggedScoresNameTheFeaturesFurthestFromTheTrainingData() throws Exception {
        var h = started();
        float[] mean = new float[FEATURES];
        float[] std = new float[FEATURES];
        List<String> names = new ArrayList<>();
        for (int j = 0; j < FEATURES; j++) {
            std[j] = 1f;
            names.add("f" + j);
        }
        ModelVersion flagsAll = io.riffle.modelops.registry.ModelVersions.withFeatureStats(ModelVersion.newBuilder(
                fraud(1)).setReviewThreshold(0.0).setBlockThreshold(1.0).setFeatureNames(names).build(), mean, std);
        h.processElement2(flagsAll, 0);
        send(h, 0, BATCH);
        List<Score> scores = scores(h);
        assertThat(scores).hasSize(BATCH);
        for (int i = 0; i < BATCH; i++) {
            Score s = scores.get(i);
            List<Float> v = vector(i).getValues();
            int furthest = 0;
            for (int j = 1; j < FEATURES; j++) {
                if (Math.abs(v.get(j)) > Math.abs(v.get(furthest))) {
                    furthest = j;
                }
            }
            assertThat(s.getDecision()).isEqualTo(Decision.REVIEW);
            List<String> reasons = s.getReasons().stream().map(CharSequence::toString).toList();
            assertThat(reasons.get(0)).startsWith("fraud:v1:probability=");
            assertThat(reasons.subList(1, reasons.size())).hasSizeBetween(1, 3);
            assertThat(reasons.get(1)).startsWith("fraud:v1:feature:f" + furthest + "=");
        }
    }

    @Test
    void aMulticlassModelsTopKGoesToTheScoresAndToTheRecommendations() throws Exception {
        var h = started();
        // Logits = the features: each row recommends the columns of its two largest values (k = 2 for "recs").
        h.processElement2(TestModels.identityLogits("recs", 3, FEATURES), 0);
        h.processElement2(fraud(1), 0);
        send(h, 0, BATCH);
        List<Score> scores = scores(h);
        assertThat(scores).hasSize(BATCH);
        List<io.riffle.schemas.Recommendation> recs = sideValues(h.getSideOutput(BatchingScorer.RECOMMENDATIONS));
        assertThat(recs).hasSize(BATCH);
        for (int i = 0; i < BATCH; i++) {
            List<Float> v = vector(i).getValues();
            List<Integer> columns = new ArrayList<>();
            for (int j = 0; j < FEATURES; j++) {
                columns.add(j);
            }
            columns.sort((a, b) -> Float.compare(v.get(b), v.get(a)));
            io.riffle.schemas.Recommendation r = recs.get(i);
            assertThat(r.getEventId()).isEqualTo("e-" + i);
            assertThat(r.getEntityId()).isEqualTo("card-" + (i % 3));
            assertThat(r.getModel()).isEqualTo("recs");
            assertThat(r.getVersion()).isEqualTo(3);
            assertThat(r.getItems()).extracting(io.riffle.schemas.ClassScore::getLabel)
                    .containsExactly("item-" + columns.get(0), "item-" + columns.get(1));
            Score s = scores.get(i);
            assertThat(s.getModels()).extracting(ModelScore::getName).containsExactly("fraud", "recs");
            assertThat(s.getModels().get(1).getTopK()).isEqualTo(r.getItems());
        }
        // The recommendations keep their records' timestamps, as the scores do.
        assertThat(h.getSideOutput(BatchingScorer.RECOMMENDATIONS)).extracting(StreamRecord::getTimestamp)
                .containsExactlyElementsOf(h.getOutput().stream().filter(o -> o instanceof StreamRecord)
                        .map(o -> ((StreamRecord<?>) o).getTimestamp()).toList());
    }

    @Test
    void withoutAMulticlassModelNoRecommendationIsEmitted() throws Exception {
        var h = started();
        h.processElement2(fraud(1), 0);
        send(h, 0, BATCH);
        assertThat(scores(h)).hasSize(BATCH);
        assertThat(h.getSideOutput(BatchingScorer.RECOMMENDATIONS)).isNull();
    }

    @Test
    void aModelSwapNeverSplitsABatch() throws Exception {
        var h = started();
        h.processElement2(fraud(1), 0);
        send(h, 0, BATCH - 1);                 // a partial batch under v1
        h.processElement2(fraud(2), 0);         // swap: the partial batch is scored by v1 first
        send(h, BATCH - 1, 2 * BATCH + 1);
        h.endInput1();
        List<Score> scores = scores(h);
        assertThat(ids(scores)).containsExactlyElementsOf(range(0, 2 * BATCH + 1));
        for (int i = 0; i < scores.size(); i++) {
            int version = scores.get(i).getModels().get(0).getVersion();
            assertThat(version).as("score %d", i).isEqualTo(i < BATCH - 1 ? 1 : 2);
        }
        List<ModelEvent> events = sideValues(h.getSideOutput(BatchingScorer.MODEL_EVENTS));
        assertThat(events).extracting(ModelEvent::getKind, ModelEvent::getVersion)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(ModelEventKind.LOADED, 1),
                        org.assertj.core.groups.Tuple.tuple(ModelEventKind.LOADED, 2));
        assertThat(events).allSatisfy(e -> assertThat(e.getDevice()).isEqualTo("cpu"));
    }

    @Test
    void aRejectedVersionLeavesTheServingOneInPlace() throws Exception {
        var h = started();
        h.processElement2(fraud(1), 0);
        ModelVersion corrupt = ModelVersion.newBuilder(fraud(2))
                .setOnnx(ByteBuffer.wrap(new byte[] {1, 2, 3})).build();
        h.processElement2(corrupt, 0);
        ModelVersion older = fraud(1);
        h.processElement2(older, 0);            // not newer: ignored
        send(h, 0, BATCH);
        assertThat(scores(h)).allSatisfy(s -> assertThat(s.getModels().get(0).getVersion()).isEqualTo(1));
        List<ModelEvent> events = sideValues(h.getSideOutput(BatchingScorer.MODEL_EVENTS));
        assertThat(events).hasSize(2);
        assertThat(events.get(1).getKind()).isEqualTo(ModelEventKind.REJECTED);
        assertThat(events.get(1).getReason()).contains("fraud").contains("sha256");
    }

    @Test
    void everyServingModelScoresEveryRecord() throws Exception {
        var h = harness(List.of("fraud", "anomaly"), 100);
        h.setProcessingTime(0);
        h.open();
        h.processElement2(fraud(1), 0);
        send(h, 0, 2);                           // waiting: anomaly is required too
        assertThat(scores(h)).isEmpty();
        h.processElement2(TestModels.anomaly("anomaly", 1, FEATURES), 0);
        h.endInput1();
        assertThat(ids(scores(h))).containsExactlyElementsOf(range(0, 2));
        assertThat(scores(h)).allSatisfy(s -> assertThat(s.getModels()).extracting(ModelScore::getName)
                .containsExactly("anomaly", "fraud"));
    }

    @Test
    void recordsWaitForTheFirstModelAndWatermarksWaitWithThem() throws Exception {
        var h = harness(List.of(), 100);
        h.setProcessingTime(0);
        h.open();
        send(h, 0, 3);
        h.processWatermark1(new Watermark(2_000));
        assertThat(h.getOutput()).isEmpty();
        h.processElement2(fraud(1), 0);
        h.prepareSnapshotPreBarrier(1);
        List<Object> out = new ArrayList<>(h.getOutput());
        assertThat(out).hasSize(4);
        assertThat(out.get(3)).isEqualTo(new Watermark(2_000));
        assertThat(ids(scores(h))).containsExactlyElementsOf(range(0, 3));
    }

    @Test
    void waitingRecordsBeyondTheLimitAndAtEndOfInputBecomeDeadLetters() throws Exception {
        var h = harness(List.of(), 2);
        h.setProcessingTime(0);
        h.open();
        send(h, 0, 3);                           // the third exceeds the limit
        List<DeadLetter> overflow = sideValues(h.getSideOutput(BatchingScorer.DEAD_LETTERS));
        assertThat(overflow).hasSize(1);
        assertThat(overflow.get(0).getErrorMessage()).contains("no model is loaded").contains("e-2");
        h.endInput1();                           // the other two: no model ever came
        List<DeadLetter> all = sideValues(h.getSideOutput(BatchingScorer.DEAD_LETTERS));
        assertThat(all).hasSize(3);
        assertThat(all.get(2).getErrorMessage()).contains("end of input");
        assertThat(scores(h)).isEmpty();
    }

    @Test
    void waitingRecordsSurviveACheckpoint() throws Exception {
        var h = harness(List.of(), 100);
        h.setProcessingTime(0);
        h.open();
        send(h, 0, 3);
        h.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState snapshot = h.snapshot(1, 1);

        var restored = harness(List.of(), 100);
        restored.setProcessingTime(0);
        restored.initializeState(snapshot);
        restored.open();
        restored.processElement2(fraud(1), 0);
        restored.endInput1();
        assertThat(ids(scores(restored))).containsExactlyElementsOf(range(0, 3));
    }

    @Test
    void aRestoredScorerServesTheVersionsItServed() throws Exception {
        var h = started();
        h.processElement2(fraud(1), 0);
        h.processElement2(fraud(2), 0);
        h.processElement2(TestModels.anomaly("anomaly", 5, FEATURES), 0);
        h.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState snapshot = h.snapshot(1, 1);

        var restored = harness(List.of(), 10);
        restored.setProcessingTime(0);
        restored.initializeState(snapshot);
        restored.open();
        send(restored, 0, BATCH);                 // no model sent after the restore
        List<Score> scores = scores(restored);
        assertThat(scores).hasSize(BATCH);
        assertThat(scores).allSatisfy(s -> assertThat(s.getModels())
                .extracting(ModelScore::getName, ModelScore::getVersion)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("anomaly", 5),
                        org.assertj.core.groups.Tuple.tuple("fraud", 2)));
    }

    @Test
    void noRecordIsLostOrScoredTwiceAcrossSnapshotAndRestore() throws Exception {
        // The source replays everything after the checkpoint it restores from; the scorer must
        // have emitted exactly the records before the barrier, and nothing else.
        int total = 23;
        int atCheckpoint = 10;
        var h = started();
        h.processElement2(fraud(1), 0);
        send(h, 0, atCheckpoint);
        h.prepareSnapshotPreBarrier(7);
        OperatorSubtaskState snapshot = h.snapshot(7, 7);
        List<String> beforeBarrier = ids(scores(h));
        send(h, atCheckpoint, atCheckpoint + 3);  // processed, then the job fails: these are lost with it

        var restored = harness(List.of(), 10);
        restored.setProcessingTime(0);
        restored.initializeState(snapshot);
        restored.open();
        send(restored, atCheckpoint, total);
        restored.endInput1();
        List<String> all = new ArrayList<>(beforeBarrier);
        all.addAll(ids(scores(restored)));
        assertThat(all).containsExactlyElementsOf(range(0, total));
        Set<String> unique = new HashSet<>(all);
        assertThat(unique).hasSize(total);
    }

    @Test
    void aVectorOfTheWrongWidthBecomesADeadLetter() throws Exception {
        var h = started();
        h.processElement2(fraud(1), 0);
        FeatureVector bad = vector(0);
        bad.setValues(bad.getValues().subList(0, 3));
        h.processElement1(bad, 1);
        h.endInput1();
        assertThat(scores(h)).isEmpty();
        List<DeadLetter> dead = sideValues(h.getSideOutput(BatchingScorer.DEAD_LETTERS));
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).getErrorMessage()).contains("e-0").contains("3 values").contains("16");
    }

    /** Rows 0 and 2 ordinary, row 1 with a feature below -100 (NaN output), row 3 summing above 1000 (+Inf). */
    private static final int NAN_ROW = 1;
    private static final int INF_ROW = 3;

    static ModelVersion failsOnOutliers(String name, ModelRole role) {
        return ModelVersion.newBuilder(TestModels.failsOnOutliers(name, 1, FEATURES)).setRole(role)
                .setReviewThreshold(0.8).setBlockThreshold(0.9).build();
    }

    private static void sendWithOutliers(TwoInputStreamOperatorTestHarness<FeatureVector, ModelVersion, Score> h)
            throws Exception {
        for (int i = 0; i < BATCH; i++) {
            FeatureVector fv = vector(i);
            List<Float> values = new ArrayList<>(fv.getValues());
            if (i == NAN_ROW) {
                values.set(3, -200f);
            } else if (i == INF_ROW) {
                values.set(5, 2000f);
            }
            fv.setValues(values);
            h.processElement1(fv, 1_000L + i);
        }
    }

    private static long nonFiniteOutputs(TwoInputStreamOperatorTestHarness<FeatureVector, ModelVersion, Score> h) {
        return ((BatchingScorer<?>) h.getOperator()).nonFiniteOutputCount();
    }

    private static List<String> reasons(Score s) {
        return s.getReasons().stream().map(CharSequence::toString).toList();
    }

    @Test
    void aModelOutputOfNaNOrInfinityIsReviewedNeverAllowed() throws Exception {
        var h = started();
        ModelVersion mv = failsOnOutliers("fraud", ModelRole.CHAMPION);
        h.processElement2(mv, 0);
        sendWithOutliers(h);
        List<Score> scores = scores(h);
        assertThat(ids(scores)).containsExactlyElementsOf(range(0, BATCH));

        Score nan = scores.get(NAN_ROW);
        assertThat(nan.getModels().get(0).getValue()).isNaN();   // the score still says what the model gave
        assertThat(nan.getDecision()).isEqualTo(Decision.REVIEW);
        assertThat(reasons(nan).get(0)).isEqualTo("fraud:v1:output-not-finite=NaN->review");

        Score inf = scores.get(INF_ROW);
        assertThat(inf.getModels().get(0).getValue()).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(inf.getDecision()).isEqualTo(Decision.REVIEW);
        assertThat(reasons(inf).get(0)).isEqualTo("fraud:v1:output-not-finite=Infinity->review");

        assertThat(nonFiniteOutputs(h)).isEqualTo(2);
    }

    @Test
    void finiteOutputsOfTheSameModelAreDecidedByTheirThresholds() throws Exception {
        var h = started(Decision.BLOCK);
        ModelVersion mv = failsOnOutliers("fraud", ModelRole.CHAMPION);
        h.processElement2(mv, 0);
        sendWithOutliers(h);
        List<Score> scores = scores(h);
        float[] expected = new float[BATCH];
        float[] rows = new float[BATCH * FEATURES];
        for (int i = 0; i < BATCH; i++) {
            List<Float> v = vector(i).getValues();
            for (int j = 0; j < FEATURES; j++) {
                rows[i * FEATURES + j] = v.get(j);
            }
        }
        try (LoadedModel direct = new ModelLoader(EngineOptions.defaults()).load(mv, FEATURES, null)) {
            direct.score(rows, BATCH, expected);
        }
        for (int i : new int[] {0, 2}) {
            Score s = scores.get(i);
            assertThat(s.getModels().get(0).getValue()).isEqualTo(expected[i]).isBetween(0f, 0.8f);
            assertThat(s.getDecision()).isEqualTo(Decision.ALLOW);
            assertThat(s.getReasons()).isEmpty();
        }
    }

    @Test
    void aFailingModelBlocksWhenConfiguredTo() throws Exception {
        var h = started(Decision.BLOCK);
        h.processElement2(failsOnOutliers("fraud", ModelRole.CHAMPION), 0);
        sendWithOutliers(h);
        List<Score> scores = scores(h);
        assertThat(scores.get(NAN_ROW).getDecision()).isEqualTo(Decision.BLOCK);
        assertThat(reasons(scores.get(NAN_ROW)).get(0)).isEqualTo("fraud:v1:output-not-finite=NaN->block");
        assertThat(scores.get(INF_ROW).getDecision()).isEqualTo(Decision.BLOCK);
        assertThat(reasons(scores.get(INF_ROW)).get(0)).isEqualTo("fraud:v1:output-not-finite=Infinity->block");
        assertThat(nonFiniteOutputs(h)).isEqualTo(2);
    }

    @Test
    void aFailureConfiguredToAllowIsStillReportedInTheReasons() throws Exception {
        var h = started(Decision.ALLOW);
        h.processElement2(failsOnOutliers("fraud", ModelRole.CHAMPION), 0);
        sendWithOutliers(h);
        Score nan = scores(h).get(NAN_ROW);
        assertThat(nan.getDecision()).isEqualTo(Decision.ALLOW);
        assertThat(reasons(nan)).containsExactly("fraud:v1:output-not-finite=NaN->allow");
        assertThat(nonFiniteOutputs(h)).isEqualTo(2);
    }

    @Test
    void aFailingShadowModelIsCountedButDecidesNothing() throws Exception {
        var h = started(Decision.BLOCK);
        ModelVersion champion = fraud(1);
        h.processElement2(champion, 0);
        h.processElement2(failsOnOutliers("fraud-shadow", ModelRole.SHADOW), 0);
        sendWithOutliers(h);
        List<Score> scores = scores(h);
        assertThat(scores).hasSize(BATCH);
        assertThat(scores.get(NAN_ROW).getModels()).extracting(ModelScore::getName)
                .containsExactly("fraud", "fraud-shadow");
        assertThat(scores.get(NAN_ROW).getModels().get(1).getValue()).isNaN();
        assertThat(scores.get(INF_ROW).getModels().get(1).getValue()).isInfinite();
        assertThat(scores).allSatisfy(s -> {
            float championValue = s.getModels().get(0).getValue();
            assertThat(championValue).isFinite();
            assertThat(s.getDecision()).isEqualTo(DecisionPolicy.decide(champion, championValue));
            assertThat(reasons(s)).noneMatch(r -> r.startsWith("fraud-shadow:"));
        });
        assertThat(nonFiniteOutputs(h)).isEqualTo(2);
    }

    private static <T> List<T> sideValues(java.util.Collection<StreamRecord<T>> records) {
        List<T> values = new ArrayList<>();
        if (records != null) {
            for (StreamRecord<T> r : records) {
                values.add(r.getValue());
            }
        }
        return values;
    }
}
