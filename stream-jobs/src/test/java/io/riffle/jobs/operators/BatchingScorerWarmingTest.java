package io.riffle.jobs.operators;

import io.riffle.jobs.serde.DecodedRecord;
import io.riffle.jobs.serde.EntityKeyTypeInfo;
import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.features.EntityFeatureState;
import io.riffle.modelops.features.FeatureExtractor;
import io.riffle.modelops.testing.TestModels;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.riffle.jobs.operators.SpecFeatureRowsTest.BASE;
import static io.riffle.jobs.operators.SpecFeatureRowsTest.decoded;
import static io.riffle.jobs.operators.SpecFeatureRowsTest.event;
import static io.riffle.jobs.operators.SpecFeatureRowsTest.features;
import static io.riffle.jobs.operators.SpecFeatureRowsTest.spec;
import static io.riffle.jobs.operators.SpecFeatureRowsTest.values;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scorer with rows that warm their state ({@link ScoringRows#warmChunk()}, the heap backend's
 * {@link SpecFeatureRows}) fills records a chunk at a time, each chunk's states looked up and
 * warmed first. Whatever the chunks, its vectors, scores and dead letters are those of the same
 * rows filled one record at a time, in the same order, across a checkpoint and a restore; and
 * the key Flink set for a record is current again after a chunk was filled.
 */
class BatchingScorerWarmingTest {

    @BeforeAll
    static void load() throws Exception {
        SpecFeatureRowsTest.load();
    }

    /** The same rows, filled one record at a time. */
    static final class OneAtATime implements ScoringRows<DecodedRecord> {
        private static final long serialVersionUID = 1L;
        private final SpecFeatureRows rows = SpecFeatureRows.of(spec, true);

        @Override
        public void open(StreamingRuntimeContext context, MetricGroup metrics, KeyedStateBackend<?> keyed)
                throws Exception {
            rows.open(context, metrics, keyed);
        }

        @Override
        public Duration sweepEvery() {
            return rows.sweepEvery();
        }

        @Override
        public void sweep(long now) throws Exception {
            rows.sweep(now);
        }

        @Override
        public DeadLetter fill(DecodedRecord in, float[] out, int offset, Identity row)
                throws Exception {
            return rows.fill(in, out, offset, row);
        }

        @Override
        public boolean emitsFeatures() {
            return true;
        }
    }

    record Run(List<String> vectors, List<String> scores, List<String> deadLetters) {}

    private static KeyedTwoInputStreamOperatorTestHarness<String, DecodedRecord, ModelVersion, Score> harness(
            boolean warmed, OperatorSubtaskState restoreFrom) throws Exception {
        ScorerConfig config = new ScorerConfig(40, 20, 100_000, List.of(), EngineOptions.defaults(),
                spec.features().count(), spec.features().hash(), "generic.events");
        // chunks of 7 and a batch of 40: chunks end at batch ends and inside batches
        ScoringRows<DecodedRecord> rows = warmed ? SpecFeatureRows.of(spec, true).warmChunk(7) : new OneAtATime();
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new BatchingScorer<>(config, rows), d -> d.key,
                mv -> mv.getName().toString(), EntityKeyTypeInfo.INSTANCE);
        h.setProcessingTime(0);
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    /**
     * 500 events of 7 devices, with repeated event ids (some within one chunk, some chunks apart)
     * and events whose features cannot be computed, scored by a model, with a checkpoint after 230.
     */
    private static Run run(boolean warmed) throws Exception {
        int n = spec.features().count();
        ModelVersion model = ModelVersion.newBuilder(TestModels.binaryMlp("fraud", 1, n, 1))
                .setFeatureSpecHash(spec.features().hash()).build();
        Random random = new Random(21);
        List<DecodedRecord> events = new ArrayList<>();
        long[] clock = new long[7];
        for (int i = 0; i < 500; i++) {
            int d = random.nextInt(7);
            clock[d] += 200 + random.nextInt(3000);
            int id = i % 11 == 3 ? i - 1 : i % 37 == 5 && i > 150 ? i - 150 : i;
            GenericRecord e = event(id, "dev-" + (i % 11 == 3 ? (i - 1) % 7 : d), BASE + clock[d], random);
            if (i % 53 == 7) {
                e.put("x05", null);
            }
            events.add(decoded(e, i));
        }
        List<String> vectors = new ArrayList<>();
        List<String> scores = new ArrayList<>();
        List<String> dead = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = harness(warmed, null)) {
            h.processElement2(new StreamRecord<>(model));
            for (int i = 0; i < 230; i++) {
                h.processElement1(new StreamRecord<>(events.get(i), events.get(i).eventTime));
                assertThat(h.getOperator().getCurrentKey()).as("current key after event %d", i)
                        .isEqualTo(events.get(i).key);
            }
            if (warmed) {
                // Deferred: nothing of the last chunk is filled before the barrier asks for it.
                assertThat(((BatchingScorer<?>) h.getOperator()).buffered()).isPositive();
            }
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 0);
            collect(h, vectors, scores, dead);
        }
        try (var h = harness(warmed, snapshot)) {
            h.processElement2(new StreamRecord<>(model));
            for (int i = 230; i < events.size(); i++) {
                h.processElement1(new StreamRecord<>(events.get(i), events.get(i).eventTime));
            }
            h.endInput1();
            collect(h, vectors, scores, dead);
        }
        return new Run(vectors, scores, dead);
    }

    private static void collect(KeyedTwoInputStreamOperatorTestHarness<String, DecodedRecord, ModelVersion, Score> h,
                                List<String> vectors, List<String> scores, List<String> dead) {
        for (FeatureVector v : features(h)) {
            vectors.add(v.getEventId() + " " + v.getEntityId() + " " + Arrays.toString(values(v)));
        }
        for (Score s : h.extractOutputValues()) {
            scores.add(s.getEventId() + " " + s.getEntityId() + " " + s.getModels().get(0).getValue() + " "
                    + s.getDecision());
        }
        var letters = h.getSideOutput(BatchingScorer.DEAD_LETTERS);
        if (letters != null) {
            letters.forEach(r -> dead.add(((DeadLetter) r.getValue()).getErrorMessage()));
        }
    }

    @Test
    void warmedChunksScoreWhatOneRecordAtATimeScores() throws Exception {
        Run oneAtATime = run(false);
        Run warmed = run(true);
        assertThat(oneAtATime.deadLetters()).anyMatch(m -> m.contains("duplicate event id"))
                .anyMatch(m -> m.contains("x05"));
        assertThat(oneAtATime.vectors().size() + oneAtATime.deadLetters().size()).isEqualTo(500);
        assertThat(oneAtATime.scores()).hasSize(oneAtATime.vectors().size());
        assertThat(warmed.vectors()).containsExactlyElementsOf(oneAtATime.vectors());
        assertThat(warmed.scores()).containsExactlyElementsOf(oneAtATime.scores());
        assertThat(warmed.deadLetters()).containsExactlyElementsOf(oneAtATime.deadLetters());
    }

    /**
     * Two events of an entity whose state expired (no sweep has dropped it yet) in one chunk: the
     * first starts the entity afresh, and the second must build on that new state, not on the
     * expired one its lookup found before the chunk was filled.
     */
    @Test
    void theSecondEventOfAnExpiredEntityInAChunkSeesTheStateTheFirstStarted() throws Exception {
        int n = spec.features().count();
        ModelVersion model = ModelVersion.newBuilder(TestModels.binaryMlp("fraud", 1, n, 1))
                .setFeatureSpecHash(spec.features().hash()).build();
        long t = SpecFeatureRows.stateTtl(spec).toMillis();
        int count1m = spec.features().names().indexOf("count_1m");
        Random random = new Random(5);
        FeatureExtractor reference = FeatureExtractor.of(spec);
        try (var h = harness(true, null)) {
            h.processElement2(new StreamRecord<>(model));
            int i = 0;
            // a chunk (7) at time 0: dev-0's first five events and two others
            for (; i < 7; i++) {
                String device = i < 5 ? "dev-0" : "dev-" + i;
                h.processElement1(new StreamRecord<>(decoded(event(i, device, BASE + i * 1000L, random), i)));
            }
            // a chunk at t - 1: dev-0 once more (its state last touched then), six others
            h.setProcessingTime(t - 1);
            for (int k = 0; k < 7; i++, k++) {
                String device = k == 0 ? "dev-0" : "dev-" + (10 + k);
                h.processElement1(new StreamRecord<>(decoded(event(i, device, BASE + 5_000L + k, random), i)));
            }
            assertThat(values(features(h).get(7))[count1m]).as("dev-0's sixth event").isEqualTo(6f);
            // one TTL later the states of t - 1 have expired, and the last sweep (just before) kept
            // them; those of time 0 are gone
            h.setProcessingTime(2 * t - 2);
            h.setProcessingTime(2 * t - 1);
            assertThat(h.numKeyedStateEntries()).isEqualTo(7);
            GenericRecord first = event(i++, "dev-0", BASE + 7_000L, random);
            GenericRecord second = event(i++, "dev-0", BASE + 8_000L, random);
            h.processElement1(new StreamRecord<>(decoded(first, 14)));
            h.processElement1(new StreamRecord<>(decoded(second, 15)));
            for (int k = 0; k < 5; i++, k++) {
                h.processElement1(new StreamRecord<>(decoded(event(i, "dev-" + (20 + k), BASE + 9_000L, random), i)));
            }
            List<FeatureVector> vectors = features(h);
            assertThat(vectors).hasSize(21);
            EntityFeatureState fresh = reference.newState();
            assertThat(values(vectors.get(14))).containsExactly(reference.extract(first, fresh));
            assertThat(values(vectors.get(15))).containsExactly(reference.extract(second, fresh));
            assertThat(values(vectors.get(15))[count1m]).isEqualTo(2f);
        }
    }

    @Test
    void recordsWaitingForAChunkAreFilledWhenTheBatchDeadlinePasses() throws Exception {
        int n = spec.features().count();
        ModelVersion model = ModelVersion.newBuilder(TestModels.binaryMlp("fraud", 1, n, 1))
                .setFeatureSpecHash(spec.features().hash()).build();
        Random random = new Random(3);
        try (var h = harness(true, null)) {
            h.processElement2(new StreamRecord<>(model));
            for (int i = 0; i < 3; i++) {
                h.processElement1(new StreamRecord<>(decoded(event(i, "dev-" + i, BASE + i, random), i)));
            }
            assertThat(features(h)).isEmpty();
            assertThat(h.extractOutputValues()).isEmpty();
            h.setProcessingTime(20);
            assertThat(features(h)).extracting(FeatureVector::getEventId).containsExactly("e-0", "e-1", "e-2");
            assertThat(h.extractOutputValues()).extracting(Score::getEventId).containsExactly("e-0", "e-1", "e-2");
        }
    }
}
