package io.riffle.jobs.operators;

import io.riffle.jobs.serde.DecodedRecord;
import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.features.EntityFeatureState;
import io.riffle.modelops.features.FeatureExtractor;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Counts by category and session features through the scorer's keyed feature path
 * ({@link SpecFeatureRows} in a {@link BatchingScorer}), across a snapshot and restore: the vectors
 * equal the Flink-free extractor's, missing categories are counted, never dead letters, and the
 * state's TTL covers the session gap.
 */
class SpecFeatureRowsCountsTest {

    @TempDir
    static Path dir;
    static PipelineSpec spec;

    @BeforeAll
    static void load() throws Exception {
        SpecFeatureRowsTest.load();
        spec = EntityFeatureStateSerializerTest.countsAndSessions(dir);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, DecodedRecord, ModelVersion, Score> harness(
            OperatorSubtaskState restore) throws Exception {
        ScorerConfig config = new ScorerConfig(16, 20, 100_000, List.of(), EngineOptions.defaults(),
                spec.features().count(), spec.features().hash(), "generic.events");
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new BatchingScorer<>(config, SpecFeatureRows.of(spec, true)),
                (DecodedRecord d) -> d.key, (ModelVersion mv) -> mv.getName().toString(), Types.STRING);
        h.setProcessingTime(0);
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    private static GenericRecord event(int i, String device, long time, Random random) {
        GenericRecord e = SpecFeatureRowsTest.event(i, device, time, random);
        // a missing region in one event of seven: counted as "other" or not counted by the top-N, never refused
        e.put("region", random.nextInt(7) == 0 ? null : List.of("north", "south", "east", "r4", "r5").get(random.nextInt(5)));
        return e;
    }

    @Test
    void vectorsWithCountsAndSessionsEqualTheExtractorsAcrossARestore() throws Exception {
        Random random = new Random(31);
        List<GenericRecord> events = new ArrayList<>();
        long[] clock = new long[2];
        for (int i = 0; i < 240; i++) {
            int d = random.nextInt(2);
            // seconds apart, sometimes a pause longer than the 5 min session gap, up to 8 s out of order
            clock[d] += random.nextInt(12) == 0 ? 6 * 60_000 + random.nextInt(60_000) : 500 + random.nextInt(20_000);
            events.add(event(i, "dev-" + d, SpecFeatureRowsTest.BASE + Math.max(0, clock[d] - random.nextInt(8000)), random));
        }
        FeatureExtractor reference = FeatureExtractor.of(spec);
        Map<String, EntityFeatureState> states = new HashMap<>();
        List<FeatureVector> out = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = harness(null)) {
            for (int i = 0; i < 120; i++) {
                h.processElement1(new StreamRecord<>(SpecFeatureRowsTest.decoded(events.get(i), i)));
            }
            snapshot = h.snapshot(1, 0);
            out.addAll(SpecFeatureRowsTest.features(h));
            assertThat(h.getSideOutput(BatchingScorer.DEAD_LETTERS)).isNullOrEmpty();
        }
        try (var h = harness(snapshot)) {
            for (int i = 120; i < events.size(); i++) {
                h.processElement1(new StreamRecord<>(SpecFeatureRowsTest.decoded(events.get(i), i)));
            }
            out.addAll(SpecFeatureRowsTest.features(h));
            assertThat(h.getSideOutput(BatchingScorer.DEAD_LETTERS)).isNullOrEmpty();
        }
        assertThat(out).hasSize(events.size());
        int sessionEvents = spec.features().names().indexOf("session_events");
        float longestSession = 0;
        for (int i = 0; i < events.size(); i++) {
            GenericRecord e = events.get(i);
            float[] expected = reference.extract(e, states.computeIfAbsent(e.get("deviceId").toString(), k -> reference.newState()));
            assertThat(out.get(i).getEventId()).isEqualTo("e-" + i);
            assertThat(SpecFeatureRowsTest.values(out.get(i))).as("event %d", i).containsExactly(expected);
            longestSession = Math.max(longestSession, expected[sessionEvents]);
        }
        // the sessions did span the restore and did end at the pauses
        assertThat(longestSession).isGreaterThan(5f).isLessThan(120f);
    }

    @Test
    void theStateOutlivesTheSessionGapWhenItIsTheLongestSpan() throws Exception {
        // windows up to 10m, session gap 5m: the windows decide
        assertThat(SpecFeatureRows.stateTtl(spec)).isGreaterThan(Duration.ofMinutes(10));
        Path other = dir.resolve("long-gap");
        java.nio.file.Files.createDirectories(other);
        EntityFeatureStateSerializerTest.countsAndSessions(other);
        Path file = other.resolve("counts.yaml");
        java.nio.file.Files.writeString(file, java.nio.file.Files.readString(file).replace("session-gap: 5m", "session-gap: 2h"));
        PipelineSpec longGap = PipelineSpec.load(file);
        assertThat(SpecFeatureRows.stateTtl(longGap)).isGreaterThan(Duration.ofHours(2).plus(longGap.events().allowedLateness()));
    }
}
