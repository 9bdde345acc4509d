package io.riffle.jobs.operators;

import io.riffle.jobs.serde.DecodedRecord;
import io.riffle.jobs.serde.EntityKeyTypeInfo;
import io.riffle.modelops.features.EntityFeatureState;
import io.riffle.modelops.features.FeatureExtractor;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.DeadLetter;
import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.testing.TestModels;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pipeline file's features computed inside the keyed scorer ({@link SpecFeatureRows}): its
 * vectors (the scorer's features output) equal the Flink-free {@link FeatureExtractor}'s over the
 * same events, a bad event becomes a dead letter and leaves the entity's state as it was, and an
 * entity's state is gone after the TTL. No model is loaded, so every row waits for one; the
 * features are emitted when a row is computed, whether it is scored at once or waits.
 */
class SpecFeatureRowsTest {
    static final long BASE = 1_700_000_000_000L;
    static PipelineSpec spec;
    static Schema schema;

    @BeforeAll
    static void load() throws Exception {
        spec = PipelineSpec.load(Path.of("../pipelines/generic-30.yaml"));
        schema = spec.eventSchema();
    }

    static GenericRecord event(int i, String device, long time, Random random) {
        GenericData.Record r = new GenericData.Record(schema);
        r.put("eventId", "e-" + i);
        r.put("deviceId", device);
        r.put("eventTime", time);
        for (int f = 0; f < 30; f++) {
            r.put(String.format("x%02d", f), random.nextGaussian() * (f + 1));
        }
        r.put("region", i % 5 == 0 ? null : List.of("north", "south", "east", "west").get(i % 4));
        return r;
    }

    static DecodedRecord decoded(GenericRecord r, long offset) {
        return DecodedRecord.of(r, r.get("deviceId").toString(), (Long) r.get("eventTime"), (Long) r.get("eventTime") + 3,
                "generic.events", 0, offset);
    }

    static KeyedTwoInputStreamOperatorTestHarness<String, DecodedRecord, ModelVersion, Score> harness(
            SpecFeatureRows rows) throws Exception {
        return harness(rows, EntityKeyTypeInfo.INSTANCE);
    }

    /** The scorer keyed as the job keys it, or (with Flink's Types.STRING) as releases before EntityKeySerializer did. */
    static KeyedTwoInputStreamOperatorTestHarness<String, DecodedRecord, ModelVersion, Score> harness(
            SpecFeatureRows rows, TypeInformation<String> keyType) throws Exception {
        return harness(rows, keyType, false);
    }

    static KeyedTwoInputStreamOperatorTestHarness<String, DecodedRecord, ModelVersion, Score> harness(
            SpecFeatureRows rows, TypeInformation<String> keyType, boolean rocksDb) throws Exception {
        ScorerConfig config = new ScorerConfig(16, 20, 100_000, List.of(), EngineOptions.defaults(),
                spec.features().count(), spec.features().hash(), "generic.events");
        KeyedTwoInputStreamOperatorTestHarness<String, DecodedRecord, ModelVersion, Score> h =
                new KeyedTwoInputStreamOperatorTestHarness<>(new BatchingScorer<>(config, rows), d -> d.key,
                        mv -> mv.getName().toString(), keyType);
        if (rocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        h.setProcessingTime(0);
        h.open();
        return h;
    }

    static KeyedTwoInputStreamOperatorTestHarness<String, DecodedRecord, ModelVersion, Score> restored(
            OperatorSubtaskState state) throws Exception {
        return restored(state, false);
    }

    static KeyedTwoInputStreamOperatorTestHarness<String, DecodedRecord, ModelVersion, Score> restored(
            OperatorSubtaskState state, boolean rocksDb) throws Exception {
        ScorerConfig config = new ScorerConfig(16, 20, 100_000, List.of(), EngineOptions.defaults(),
                spec.features().count(), spec.features().hash(), "generic.events");
        KeyedTwoInputStreamOperatorTestHarness<String, DecodedRecord, ModelVersion, Score> h =
                new KeyedTwoInputStreamOperatorTestHarness<>(new BatchingScorer<>(config, rows()), d -> d.key,
                        mv -> mv.getName().toString(), EntityKeyTypeInfo.INSTANCE);
        if (rocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        h.setProcessingTime(0);
        h.initializeState(state);
        h.open();
        return h;
    }

    static SpecFeatureRows rows() {
        return SpecFeatureRows.of(spec, true);
    }

    static List<FeatureVector> features(AbstractStreamOperatorTestHarness<Score> h) {
        List<FeatureVector> out = new ArrayList<>();
        var emitted = h.getSideOutput(BatchingScorer.FEATURES);
        if (emitted != null) {
            emitted.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    static float[] values(FeatureVector v) {
        float[] a = new float[v.getValues().size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = v.getValues().get(i);
        }
        return a;
    }

    @Test
    void vectorsEqualTheExtractorsOnTheSameEventsOutOfOrderWithinTheLateness() throws Exception {
        Random random = new Random(42);
        List<GenericRecord> events = new ArrayList<>();
        long[] clock = new long[3];
        for (int i = 0; i < 400; i++) {
            int d = random.nextInt(3);
            clock[d] += 500 + random.nextInt(4000);
            long jitter = random.nextInt(8000);       // behind the device's newest by up to 8 s (lateness 10 s)
            events.add(event(i, "dev-" + d, BASE + Math.max(0, clock[d] - jitter), random));
        }
        FeatureExtractor reference = FeatureExtractor.of(spec);
        Map<String, EntityFeatureState> states = new HashMap<>();
        try (var h = harness(rows())) {
            for (int i = 0; i < events.size(); i++) {
                h.processElement1(new StreamRecord<>(decoded(events.get(i), i)));
            }
            List<FeatureVector> out = features(h);
            assertThat(out).hasSize(events.size());
            for (int i = 0; i < events.size(); i++) {
                GenericRecord e = events.get(i);
                float[] expected = reference.extract(e, states.computeIfAbsent(e.get("deviceId").toString(),
                        k -> reference.newState()));
                FeatureVector v = out.get(i);
                assertThat(v.getEventId()).isEqualTo("e-" + i);
                assertThat(v.getEntityId()).isEqualTo(e.get("deviceId").toString());
                assertThat(v.getEventTime()).isEqualTo(e.get("eventTime"));
                assertThat(v.getIngestTime()).isEqualTo((Long) e.get("eventTime") + 3);
                assertThat(v.getSpecHash()).isEqualTo(spec.features().hash());
                assertThat(values(v)).as("event %d", i).containsExactly(expected);
            }
            assertThat(h.getSideOutput(BatchingScorer.DEAD_LETTERS)).isNullOrEmpty();
        }
    }

    @Test
    void anExtractionErrorIsADeadLetterAndLeavesTheStateAsItWas() throws Exception {
        Random random = new Random(7);
        FeatureExtractor reference = FeatureExtractor.of(spec);
        EntityFeatureState state = reference.newState();
        try (var h = harness(rows())) {
            GenericRecord first = event(1, "dev-0", BASE, random);
            h.processElement1(new StreamRecord<>(decoded(first, 100)));
            reference.extract(first, state);

            GenericRecord bad = event(2, "dev-0", BASE + 1000, random);
            bad.put("x05", null);
            h.processElement1(new StreamRecord<>(decoded(bad, 101)));

            GenericRecord third = event(3, "dev-0", BASE + 2000, random);
            h.processElement1(new StreamRecord<>(decoded(third, 102)));
            float[] expected = reference.extract(third, state);

            List<FeatureVector> out = features(h);
            assertThat(out).extracting(FeatureVector::getEventId).containsExactly("e-1", "e-3");
            assertThat(values(out.get(1))).containsExactly(expected);
            List<DeadLetter> dead = new ArrayList<>();
            h.getSideOutput(BatchingScorer.DEAD_LETTERS).forEach(r -> dead.add(r.getValue()));
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).getErrorMessage()).contains("x05").contains("e-2").contains("generic.events/0@101");
            assertThat(dead.get(0).getSourceTopic()).isEqualTo("generic.events");
            assertThat(dead.get(0).getOffset()).isEqualTo(101);
            // The event itself rides along, re-encoded in the topic's format, and the entity as the key.
            assertThat(java.nio.charset.StandardCharsets.UTF_8.decode(dead.get(0).getKey()).toString()).isEqualTo("dev-0");
            byte[] value = new byte[dead.get(0).getValue().remaining()];
            dead.get(0).getValue().duplicate().get(value);
            if (spec.events().format() == io.riffle.modelops.spec.DataFormat.JSON) {
                assertThat(new String(value, java.nio.charset.StandardCharsets.UTF_8))
                        .contains("\"eventId\": \"e-2\"").contains("\"x05\": null");
            } else {
                GenericRecord back = new org.apache.avro.message.BinaryMessageDecoder<GenericRecord>(
                        org.apache.avro.generic.GenericData.get(), bad.getSchema()).decode(value);
                assertThat(back.get("eventId").toString()).isEqualTo("e-2");
            }
        }
    }

    @Test
    void scoresTheRowsItComputesAndKeepsEntityStateAcrossARestore() throws Exception {
        int n = spec.features().count();
        int count1m = spec.features().names().indexOf("count_1m");
        ModelVersion model = ModelVersion.newBuilder(TestModels.binaryMlp("fraud", 1, n, 1))
                .setFeatureSpecHash(spec.features().hash()).build();
        Random random = new Random(5);
        FeatureExtractor reference = FeatureExtractor.of(spec);
        EntityFeatureState state = reference.newState();
        float[] rows = new float[6 * n];
        OperatorSubtaskState snapshot;
        try (var h = harness(rows())) {
            h.processElement2(new StreamRecord<>(model));
            for (int i = 0; i < 5; i++) {
                GenericRecord e = event(i, "dev-0", BASE + i * 1000L, random);
                System.arraycopy(reference.extract(e, state), 0, rows, i * n, n);
                h.processElement1(new StreamRecord<>(decoded(e, i)));
            }
            h.prepareSnapshotPreBarrier(1);    // the partial batch is scored before the barrier
            snapshot = h.snapshot(1, 0);
            assertThat(h.extractOutputValues()).extracting(Score::getEventId)
                    .containsExactly("e-0", "e-1", "e-2", "e-3", "e-4");
        }
        try (var h = restored(snapshot)) {
            h.processElement2(new StreamRecord<>(model));
            GenericRecord sixth = event(5, "dev-0", BASE + 5_000L, random);
            System.arraycopy(reference.extract(sixth, state), 0, rows, 5 * n, n);
            h.processElement1(new StreamRecord<>(decoded(sixth, 5)));
            h.endInput1();
            assertThat(values(features(h).get(0))).containsExactly(java.util.Arrays.copyOfRange(rows, 5 * n, 6 * n));
            assertThat(values(features(h).get(0))[count1m]).isEqualTo(6f);
            List<Score> scores = h.extractOutputValues();
            assertThat(scores).extracting(Score::getEventId).containsExactly("e-5");
            float[] expected = new float[6];
            try (var direct = new io.riffle.modelops.validation.ModelLoader(EngineOptions.defaults())
                    .load(model, n, spec.features().hash())) {
                direct.score(rows, 6, expected);
            }
            assertThat(scores.get(0).getModels().get(0).getValue()).isEqualTo(expected[5]);
            assertThat(scores.get(0).getEntityId()).isEqualTo("dev-0");

            // the restored operator sweeps too: one TTL and a sweep after the last event the entity is gone
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            h.setProcessingTime(SpecFeatureRows.stateTtl(spec).toMillis() + rows().sweepEvery().toMillis());
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    /**
     * The heap backend's state is changed in place (no update() per event); RocksDB's goes back
     * through update(). Both give the reference extractor's vectors, event after event, and
     * across a snapshot and restore.
     */
    @Test
    void theSameVectorsOnTheHeapAndOnRocksDb() throws Exception {
        for (boolean rocks : new boolean[] {false, true}) {
            Random random = new Random(13);
            FeatureExtractor reference = FeatureExtractor.of(spec);
            Map<String, EntityFeatureState> states = new HashMap<>();
            List<float[]> expected = new ArrayList<>();
            List<GenericRecord> events = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                GenericRecord e = event(i, "dev-" + (i % 3), BASE + i * 700L, random);
                events.add(e);
                expected.add(reference.extract(e, states.computeIfAbsent(e.get("deviceId").toString(),
                        k -> reference.newState())));
            }
            List<FeatureVector> got = new ArrayList<>();
            OperatorSubtaskState snapshot;
            try (var h = harness(rows(), EntityKeyTypeInfo.INSTANCE, rocks)) {
                for (int i = 0; i < 30; i++) {
                    h.processElement1(new StreamRecord<>(decoded(events.get(i), i)));
                }
                got.addAll(features(h));
                snapshot = h.snapshot(1, 0);
            }
            try (var h = restored(snapshot, rocks)) {
                for (int i = 30; i < 60; i++) {
                    h.processElement1(new StreamRecord<>(decoded(events.get(i), i)));
                }
                got.addAll(features(h));
            }
            assertThat(got).hasSize(60);
            for (int i = 0; i < 60; i++) {
                assertThat(values(got.get(i))).as("%s, event %d", rocks ? "RocksDB" : "heap", i)
                        .containsExactly(expected.get(i));
            }
        }
    }

    @Test
    void stateKeyedWithFlinksStringSerializerRestoresUnderTheJobsKeySerializer() throws Exception {
        Random random = new Random(9);
        int count1m = spec.features().names().indexOf("count_1m");
        OperatorSubtaskState snapshot;
        // as releases before EntityKeySerializer keyed the scorer
        try (var h = harness(rows(), Types.STRING)) {
            for (int i = 0; i < 4; i++) {
                h.processElement1(new StreamRecord<>(decoded(event(i, "dev-" + (i % 2) + "-\u00e9\u4e2d", BASE + i * 1000L,
                        random), i)));
            }
            snapshot = h.snapshot(1, 0);
        }
        try (var h = restored(snapshot)) {
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
            h.processElement1(new StreamRecord<>(decoded(event(4, "dev-0-\u00e9\u4e2d", BASE + 4_000L, random), 4)));
            // the entity's three events (0, 2, 4) were found under its key: the restored keys are the same strings
            assertThat(values(features(h).get(0))[count1m]).isEqualTo(3f);
            assertThat(features(h).get(0).getEntityId()).isEqualTo("dev-0-\u00e9\u4e2d");
        }
    }

    @Test
    void theEntityStateIsClearedAfterTheTtlAndNeverReadOnceExpired() throws Exception {
        Duration ttl = SpecFeatureRows.stateTtl(spec);
        // longest window 10m + lateness 10s + one bucket + margin
        assertThat(ttl).isGreaterThan(Duration.ofMinutes(10).plus(spec.events().allowedLateness()));
        long t = ttl.toMillis();
        long sweep = rows().sweepEvery().toMillis();
        assertThat(sweep).isBetween(1_000L, t / 5);
        Random random = new Random(3);
        FeatureExtractor reference = FeatureExtractor.of(spec);
        int count1m = spec.features().names().indexOf("count_1m");
        assertThat(count1m).isNotNegative();
        try (var h = harness(rows())) {
            for (int i = 0; i < 5; i++) {
                h.processElement1(new StreamRecord<>(decoded(event(i, "dev-0", BASE + i * 1000L, random), i)));
            }
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            assertThat(values(features(h).get(4))[count1m]).isEqualTo(5f);

            // Still within the TTL: the state is there (sweeps ran on the way).
            h.setProcessingTime(t - 1);
            GenericRecord sixth = event(5, "dev-0", BASE + 5_000L, random);
            h.processElement1(new StreamRecord<>(decoded(sixth, 5)));
            assertThat(values(features(h).get(5))[count1m]).isEqualTo(6f);

            // A sweep just before the expiry keeps it; one TTL after the last event it has expired but
            // no sweep has run yet: the entity starts again from nothing, as a fresh state would.
            h.setProcessingTime(2 * t - 2);
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            h.setProcessingTime(2 * t - 1);
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            GenericRecord late = event(6, "dev-0", BASE + 7_000L, random);
            h.processElement1(new StreamRecord<>(decoded(late, 6)));
            float[] fresh = reference.extract(late, reference.newState());
            assertThat(values(features(h).get(6))).containsExactly(fresh);
            assertThat(values(features(h).get(6))[count1m]).isEqualTo(1f);

            // Another entity, then both silent: the sweep after their expiry drops both states.
            h.processElement1(new StreamRecord<>(decoded(event(7, "dev-1", BASE + 8_000L, random), 7)));
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
            h.setProcessingTime(3 * t - 2);
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
            h.setProcessingTime(3 * t - 1 + sweep);
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void aDuplicateEventIdIsADeadLetterAlsoAfterARestore() throws Exception {
        Random random = new Random(9);
        GenericRecord first = event(1, "dev-0", BASE, random);
        OperatorSubtaskState snapshot;
        try (var h = harness(rows())) {
            h.processElement1(new StreamRecord<>(decoded(first, 10)));
            // the same id again, even with other values: a retried or replayed send
            h.processElement1(new StreamRecord<>(decoded(event(1, "dev-0", BASE, random), 11)));
            // the same id for another entity is another entity's business
            h.processElement1(new StreamRecord<>(decoded(event(1, "dev-1", BASE, random), 12)));
            assertThat(features(h)).extracting(FeatureVector::getEntityId).containsExactly("dev-0", "dev-1");
            List<DeadLetter> dead = new ArrayList<>();
            h.getSideOutput(BatchingScorer.DEAD_LETTERS).forEach(r -> dead.add(r.getValue()));
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).getErrorMessage()).contains("duplicate event id").contains("eventId=e-1")
                    .contains("deviceId=dev-0").contains("generic.events/0@11");
            snapshot = h.snapshot(1, 0);
        }
        try (var h = restored(snapshot)) {
            h.processElement1(new StreamRecord<>(decoded(event(1, "dev-0", BASE + 1, random), 13)));
            h.processElement1(new StreamRecord<>(decoded(event(2, "dev-0", BASE + 2, random), 14)));
            assertThat(features(h)).extracting(FeatureVector::getEventId).containsExactly("e-2");
            assertThat(h.getSideOutput(BatchingScorer.DEAD_LETTERS)).hasSize(1);
        }
    }
}
