package io.riffle.jobs.operators;

import io.riffle.modelops.features.DuplicateEvents;
import io.riffle.modelops.features.EntityFeatureState;
import io.riffle.modelops.features.FeatureExtractor;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class EntityFeatureStateSerializerTest {

    @BeforeAll
    static void load() throws Exception {
        SpecFeatureRowsTest.load();
    }

    private static byte[] write(EntityFeatureState s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        EntityFeatureStateSerializer.INSTANCE.serialize(s, out);
        return out.getCopyOfBuffer();
    }

    private static EntityFeatureState read(byte[] bytes) throws Exception {
        return EntityFeatureStateSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes));
    }

    @Test
    void roundTripsEveryStateAnEntityPassesThroughAndWritesOnlyOccupiedSlots() throws Exception {
        FeatureExtractor extractor = FeatureExtractor.of(SpecFeatureRowsTest.spec);
        Random random = new Random(11);
        EntityFeatureState state = extractor.newState();
        assertThat(read(write(state))).isEqualTo(state);
        long time = 1_767_225_600_000L;
        for (int i = 0; i < 400; i++) {
            // Mostly in order, sometimes late, sometimes a gap of hours: slots fill, wrap and get reused.
            time += random.nextInt(10) == 0 ? random.nextInt(4 * 3_600_000) : random.nextInt(30_000);
            long eventTime = time - (random.nextInt(8) == 0 ? random.nextInt(8_000) : 0);
            GenericRecord e = SpecFeatureRowsTest.event(i, "dev-1", eventTime, random);
            extractor.extract(e, state);
            byte[] bytes = write(state);
            EntityFeatureState back = read(bytes);
            assertThat(back).as("after event %d", i).isEqualTo(state);
            assertThat(read(writeFormat2(state))).as("format 2 after event %d", i).isEqualTo(state);
            assertThat(EntityFeatureStateSerializer.INSTANCE.copy(state)).isEqualTo(state);
            // Further events give the same features from the copy as from the original.
            GenericRecord next = SpecFeatureRowsTest.event(i + 1_000, "dev-1", time + 1_000, new Random(i));
            assertThat(extractor.extract(next, back)).containsExactly(extractor.extract(next, EntityFeatureStateSerializer.INSTANCE.copy(state)));
        }
        EntityFeatureState oneEvent = extractor.newState();
        extractor.extract(SpecFeatureRowsTest.event(1, "dev-2", time, random), oneEvent);
        // one entry per window for the one event, against the many the 400 events left in use
        assertThat(oneEvent.size).isEqualTo(SpecFeatureRowsTest.spec.features().stateWindows().size());
        assertThat(state.size).isGreaterThan(5 * oneEvent.size);
        assertThat(write(oneEvent).length).isLessThan(write(state).length / 5);
    }

    @Test
    void roundTripsTheDemoStateWhoseSketchesLiveInOneRingEach() throws Exception {
        // demo.yaml: distinct countries over 24h and merchants over 1h, so those two rings keep sketches
        io.riffle.modelops.spec.PipelineSpec demo = io.riffle.modelops.spec.PipelineSpec.load(
                java.nio.file.Path.of("../pipelines/demo.yaml"));
        FeatureExtractor extractor = FeatureExtractor.of(demo);
        EntityFeatureState state = extractor.newState();
        assertThat(state.sizeInBytes()).isLessThan(1_000);   // room for a few entries, not for 67 slots
        Random random = new Random(13);
        long time = 1_767_225_600_000L;
        var duplicates = new DuplicateEvents(Duration.ofMinutes(30), 64);
        for (int i = 0; i < 300; i++) {
            time += random.nextInt(5) == 0 ? random.nextInt(2 * 3_600_000) : random.nextInt(60_000);
            GenericRecord e = StateFixtures.cardPayment(demo, i, time, random);
            extractor.extract(e, state);
            duplicates.remember(state, DuplicateEvents.hash("t-" + i), time);
            state.touchedAt = time + 7;
            EntityFeatureState back = read(write(state));
            assertThat(back).as("after event %d", i).isEqualTo(state);
            assertThat(back.touchedAt).isEqualTo(time + 7);
            assertThat(duplicates.seen(back, DuplicateEvents.hash("t-" + i))).isTrue();
        }
    }

    @Test
    void aCorruptSlotIndexIsAnErrorNotAWrongState() throws Exception {
        FeatureExtractor extractor = FeatureExtractor.of(SpecFeatureRowsTest.spec);
        EntityFeatureState s = extractor.newState();
        extractor.extract(SpecFeatureRowsTest.event(1, "dev-1", 1_767_225_600_000L, new Random(1)), s);
        byte[] bytes = write(s);
        // header: marker 8 + 3 × 8 + session 3 × 8 + 4 (no recent ids) + 4 (slots) + 4 (entries) + 4 × 4 → the
        // first entry's slot at 84
        byte[] beyond = bytes.clone();
        beyond[84] = 0x7f;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> read(beyond))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("corrupt entity feature state");
        // two entries claiming one slot: the second entry's slot made the first's
        assertThat(s.size).isGreaterThan(1);
        byte[] twice = bytes.clone();
        System.arraycopy(twice, 84, twice, 88, 4);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> read(twice))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("corrupt entity feature state: slot");
    }

    /** Format 2, as the releases before 2026-12-07 wrote it: per entry in slot order, its slot, then its parts. */
    private static byte[] writeFormat2(EntityFeatureState s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeLong(EntityFeatureStateSerializer.FORMAT_2);
        out.writeLong(s.newestTime);
        out.writeLong(s.events);
        out.writeLong(s.touchedAt);
        out.writeLong(s.sessionStart);
        out.writeLong(s.sessionNewest);
        out.writeLong(s.sessionEvents);
        out.writeInt(s.recentCount);
        for (int i = 0; i < 2 * s.recentCount; i++) {
            out.writeLong(s.recent[i]);
        }
        if (s.data == null) {
            out.writeInt(-1);
            return out.getCopyOfBuffer();
        }
        int values = s.entryValues;
        int words = s.entryWords;
        int counters = s.entryCounters;
        out.writeInt(s.slots);
        out.writeInt(s.size);
        out.writeInt(values);
        out.writeInt(words);
        out.writeInt(counters);
        out.writeInt(s.entryKeys);
        for (int slot = 0; slot < s.slots; slot++) {
            int e = s.entryAt(slot);
            if (e < 0) {
                continue;
            }
            int x = s.entryBase(e);
            out.writeInt(slot);
            out.writeLong(s.data[x]);
            out.writeInt((int) s.data[x + 1]);
            for (int i = x + 2, end = i + values + words; i < end; i++) {
                out.writeLong(s.data[i]);
            }
            for (int i = x + 2 + values + words, end = i + counters; i < end; i++) {
                out.writeInt((int) s.data[i]);
            }
            for (int i = x + 2 + values + words + counters, end = i + s.entryKeys; i < end; i++) {
                out.writeLong(s.data[i]);
            }
        }
        return out.getCopyOfBuffer();
    }

    /** A pipeline over the generic-30 events with counts by region (listed and top-N) and sessions. */
    static io.riffle.modelops.spec.PipelineSpec countsAndSessions(java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.copy(java.nio.file.Path.of("../pipelines/generic-30.avsc"), dir.resolve("generic-30.avsc"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        java.nio.file.Path file = dir.resolve("counts.yaml");
        java.nio.file.Files.writeString(file, """
                name: counts
                events:
                  schema: generic-30.avsc
                  format: json
                  key: deviceId
                  id: eventId
                  time: {field: eventTime, unit: epoch-millis}
                  allowed-lateness: 10s
                features:
                  fields:
                    - numeric: x00
                  aggregates:
                    windows: [1m, 10m]
                    session-gap: 5m
                    functions:
                      - count
                      - {mean: x01, windows: [10m]}
                      - {count_by: region, values: [north, south]}
                      - {count_by: region, top: 3, windows: [10m], share: true}
                      - session_events
                      - session_duration
                      - time_since_previous
                """);
        return io.riffle.modelops.spec.PipelineSpec.load(file);
    }

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;

    @Test
    void roundTripsCategoryCountersTopNKeysAndTheSession() throws Exception {
        io.riffle.modelops.spec.PipelineSpec counts = countsAndSessions(dir);
        FeatureExtractor extractor = FeatureExtractor.of(counts);
        Random random = new Random(21);
        EntityFeatureState state = extractor.newState();
        long time = 1_767_225_600_000L;
        for (int i = 0; i < 300; i++) {
            time += random.nextInt(10) == 0 ? random.nextInt(20 * 60_000) : random.nextInt(20_000);
            extractor.extract(StateFixtures.deviceEvent(i, time, random), state);
            EntityFeatureState back = read(write(state));
            assertThat(back).as("after event %d", i).isEqualTo(state);
            assertThat(back.sessionEvents).isEqualTo(state.sessionEvents).isPositive();
            assertThat(back.entryKeys).isEqualTo(3);
            GenericRecord next = SpecFeatureRowsTest.event(i + 1_000, "dev-1", time + 1_000, new Random(i));
            assertThat(extractor.extract(next, back)).containsExactly(extractor.extract(next, state.copy()));
        }
    }

    /**
     * State checkpointed before the state became one array of longs (written by cba4ebb, the last
     * commit with an object and a dozen arrays per entity, from {@link StateFixtures}' events)
     * reads back as the state the same events build now, and is written again byte for byte: the
     * layout changed, the arithmetic and the checkpoint format did not.
     */
    @Test
    void stateCheckpointedWithTheEarlierLayoutRestoresAndIsWrittenAlike() throws Exception {
        sameAsCheckpointed("demo-card.state", StateFixtures.demoState());
        sameAsCheckpointed("counts-device.state", StateFixtures.countsState(dir));
    }

    /**
     * The earlier layout wrote a state with no entries that it had itself read back (room for
     * none) as 0 values, words, counters and keys per entry: such a state still restores and
     * takes its next event as a fresh one would.
     */
    @Test
    void aStateWithNoEntriesAndNoPerEntrySizesRestoresAndTakesEvents() throws Exception {
        FeatureExtractor extractor = FeatureExtractor.of(SpecFeatureRowsTest.spec);
        EntityFeatureState empty = new EntityFeatureState();
        empty.layOut(extractor.slots(), 0, 0, 0, 0, 0);
        empty.touchedAt = 5;
        EntityFeatureState back = read(write(empty));
        assertThat(back.entryValues).isZero();
        GenericRecord next = SpecFeatureRowsTest.event(1, "dev-1", 1_767_225_600_000L, new Random(3));
        EntityFeatureState fresh = extractor.newState();
        assertThat(extractor.extract(next, back)).containsExactly(extractor.extract(next, fresh));
        assertThat(back).usingRecursiveComparison().comparingOnlyFields("size", "entryValues", "entryWords")
                .isEqualTo(fresh);
    }

    private static void sameAsCheckpointed(String resource, EntityFeatureState built) throws Exception {
        byte[] earlier;
        try (var in = EntityFeatureStateSerializerTest.class.getResourceAsStream("/entity-state/" + resource)) {
            earlier = in.readAllBytes();
        }
        EntityFeatureState back = read(earlier);
        assertThat(back).as(resource).isEqualTo(built);
        assertThat(back.size).as(resource).isGreaterThan(10);
        // the fixtures are format 2, written by the releases before 2026-12-07, byte for byte
        assertThat(writeFormat2(built)).as(resource).isEqualTo(earlier);
        assertThat(writeFormat2(back)).as(resource).isEqualTo(earlier);
        // and what is written now (format 3: the entries in memory order, so not the same bytes
        // for the restored state and the built one) reads back as the same state
        assertThat(read(write(back))).as(resource).isEqualTo(built);
        assertThat(read(write(built))).as(resource).isEqualTo(built);
    }

    /** The format of the previous release (no marker, no sessions, no category counters), as it wrote it. */
    private static byte[] writeFormat1(EntityFeatureState s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeLong(s.newestTime);
        out.writeLong(s.events);
        out.writeLong(s.touchedAt);
        out.writeInt(s.recentCount);
        for (int i = 0; i < s.recentCount; i++) {
            out.writeLong(s.recent[2 * i]);
            out.writeLong(s.recent[2 * i + 1]);
        }
        if (s.data == null) {
            out.writeInt(-1);
            return out.getCopyOfBuffer();
        }
        out.writeInt(s.slots);
        out.writeInt(s.size);
        out.writeInt(s.entryValues);
        out.writeInt(s.entryWords);
        for (int slot = 0; slot < s.slots; slot++) {
            int e = s.entryAt(slot);
            if (e >= 0) {
                int x = s.entryBase(e);
                out.writeInt(slot);
                out.writeLong(s.data[x]);
                out.writeInt((int) s.data[x + 1]);
                for (int v = 0; v < s.entryValues; v++) {
                    out.writeDouble(Double.longBitsToDouble(s.data[x + 2 + v]));
                }
                for (int w = 0; w < s.entryWords; w++) {
                    out.writeLong(s.data[x + 2 + s.entryValues + w]);
                }
            }
        }
        return out.getCopyOfBuffer();
    }

    @Test
    void stateWrittenInThePreviousFormatStillRestoresAndScoresAlike() throws Exception {
        // the demo's spec (aggregates, sketches) with recent event ids, written as the previous release did
        io.riffle.modelops.spec.PipelineSpec demo = io.riffle.modelops.spec.PipelineSpec.load(
                java.nio.file.Path.of("../pipelines/demo.yaml"));
        FeatureExtractor extractor = FeatureExtractor.of(demo);
        assertThat(read(writeFormat1(new EntityFeatureState()))).isEqualTo(new EntityFeatureState());
        EntityFeatureState state = extractor.newState();
        var duplicates = new DuplicateEvents(Duration.ofMinutes(30), 64);
        Random random = new Random(23);
        long time = 1_767_225_600_000L;
        for (int i = 0; i < 120; i++) {
            time += random.nextInt(5) == 0 ? random.nextInt(2 * 3_600_000) : random.nextInt(60_000);
            GenericRecord e = StateFixtures.cardPayment(demo, i, time, random);
            extractor.extract(e, state);
            duplicates.remember(state, DuplicateEvents.hash("t-" + i), time);
            state.touchedAt = time + 3;
            EntityFeatureState back = read(writeFormat1(state));
            assertThat(back).as("after event %d", i).isEqualTo(state);
            assertThat(back.entryCounters).isZero();
            assertThat(back.sessionEvents).isZero();
            // and once read, it is written in the current format and reads back the same
            assertThat(read(write(back))).isEqualTo(state);
            GenericRecord next = new org.apache.avro.generic.GenericData.Record((org.apache.avro.generic.GenericData.Record) e, true);
            next.put("eventId", "t-next");
            next.put("eventTime", time + 500);
            assertThat(extractor.extract(next, back)).containsExactly(extractor.extract(next, state.copy()));
        }
    }
}
