package io.riffle.modelops.features;

import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.SpecFixtures;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code count_by} (listed values and the Misra–Gries top-N) and the session features against
 * hand-computed values: windows sliding, out-of-order events, missing values, eviction within the
 * documented bound, and session boundaries.
 */
class CountByAndSessionsTest {

    private static final long T0 = 1_700_000_000_000L;   // a whole second, so bucket k of 1 s covers [k s, k+1 s)
    private static final long MIN = 60_000L;

    @TempDir
    Path dir;

    private PipelineSpec spec(String aggregates) throws Exception {
        return SpecFixtures.load(dir, """
                events:
                  schema: events.avsc
                  key: userId
                  id: eventId
                  time: {field: ts, unit: epoch-millis}
                  allowed-lateness: 5s
                features:
                  aggregates:
                """ + aggregates);
    }

    private static GenericRecord event(Schema schema, String user, String country, Integer quantity, String kind, long ts) {
        return FeatureExtractorTest.event(schema, "e-" + ts, user, 1.0, quantity, country, true, kind, ts);
    }

    private static Map<String, Float> named(List<String> names, float[] v) {
        Map<String, Float> m = new HashMap<>();
        for (int i = 0; i < v.length; i++) {
            m.put(names.get(i), v[i]);
        }
        return m;
    }

    @Test
    void listedValuesSlideWithTheWindowCountOutOfOrderEventsAndPutMissingOrUnlistedValuesInOther() throws Exception {
        PipelineSpec p = spec("""
                    windows: [10s]
                    buckets: 10
                    functions:
                      - {count_by: country, values: [DE, FR]}
                      - {count_by: quantity, values: [1]}
                      - {count_by: kind, values: [A], share: true}
                """);
        FeatureExtractor x = FeatureExtractor.of(p);
        List<String> names = p.features().names();
        Schema schema = p.eventSchema();
        EntityFeatureState s = x.newState();
        // {DE, FR, other} after each event; the window of an event in bucket k covers buckets [k-10, k]
        Object[][] stream = {
                {500L, "DE", 1, "A", new float[] {1, 0, 0}},
                {1_500L, "FR", 2, "B", new float[] {1, 1, 0}},
                {2_500L, null, null, "B", new float[] {1, 1, 1}},     // a missing country is "other"
                {3_500L, "IT", 1, "B", new float[] {1, 1, 2}},
                // 2.3 s late, within the lateness: its window ends at its own bucket 1, so the newer
                // buckets 2 and 3 (the two "other" events) are not in it, as for every aggregate
                {1_200L, "DE", 1, "B", new float[] {2, 1, 0}},
                // bucket 11: bucket 0 (the first DE) has left; the late DE (bucket 1) was counted where it belongs
                {11_700L, "FR", 1, "B", new float[] {1, 2, 2}},
                {14_000L, "DE", 1, "A", new float[] {1, 1, 0}},       // bucket 14: buckets 0..3 have left
        };
        for (int i = 0; i < stream.length; i++) {
            Object[] e = stream[i];
            float[] v = x.extract(event(schema, "u1", (String) e[1], (Integer) e[2], (String) e[3], T0 + (long) e[0]), s);
            Map<String, Float> m = named(names, v);
            float[] want = (float[]) e[4];
            assertThat(new float[] {m.get("country_count_DE_10s"), m.get("country_count_FR_10s"), m.get("country_count_other_10s")})
                    .as("event %d", i).containsExactly(want);
            if (i == 2) {
                // quantity (an int) 1, 2, missing: the missing one and the unlisted 2 are "other"
                assertThat(m.get("quantity_count_1_10s")).isEqualTo(1f);
                assertThat(m.get("quantity_count_other_10s")).isEqualTo(2f);
                // kind (an enum) A, B, B: shares of the window's 3 events
                assertThat(m.get("kind_share_A_10s")).isEqualTo(1f / 3);
                assertThat(m.get("kind_share_other_10s")).isEqualTo(2f / 3);
            }
        }
        assertThat(x.lateEvents()).isZero();
    }

    /** The column of value {@code v} among {@code n} top-N columns. */
    private static int column(String v, int n) {
        return WindowedAggregates.topColumn(TextHashes.hash64(v), n);
    }

    @Test
    void aFullTopNSummaryCancelsANewValueAgainstTheKeptOnesAndNeverHoldsMoreThanNValues() throws Exception {
        PipelineSpec p = spec("""
                    windows: [1h]
                    buckets: 1
                    functions:
                      - {count_by: country, top: 2}
                """);
        FeatureExtractor x = FeatureExtractor.of(p);
        Schema schema = p.eventSchema();
        EntityFeatureState s = x.newState();
        // all in one 1h bucket: a, a, b fill the two slots {a:2, b:1}; c finds none free, so every
        // counter drops by one ({a:1}, b freed) and c is not kept: a's 2 becomes 1, within n/(N+1) = 4/3
        String[] values = {"a", "a", "b", "c", null, "d"};
        float[][] want = new float[values.length][2];
        want[0][column("a", 2)] += 1;
        want[1][column("a", 2)] += 2;
        want[2][column("a", 2)] += 2;
        want[2][column("b", 2)] += 1;
        want[3][column("a", 2)] += 2;
        want[3][column("b", 2)] += 1;
        want[3][column("c", 2)] += 1;
        want[4][column("a", 2)] += 1;    // after the cancellation; the missing value itself is not counted
        want[5][column("a", 2)] += 1;
        want[5][column("d", 2)] += 1;
        for (int i = 0; i < values.length; i++) {
            float[] v = x.extract(event(schema, "u1", values[i], 1, "A", T0 + i * 1000L), s);
            assertThat(v).as("event %d (%s)", i, values[i]).containsExactly(want[i]);
            // one bucket in use, two (hash, counter) slots in it: the bound on memory, whatever the values
            assertThat(s.entryCounters).isEqualTo(2);
            assertThat(s.entryKeys).isEqualTo(2);
        }
    }

    @Test
    void topNCountsStayWithinTheMisraGriesBoundOfTheExactHashedCounts() throws Exception {
        int n = 4;
        int buckets = 6;
        long windowMs = 60_000;
        PipelineSpec p = spec("""
                    windows: [1m]
                    buckets: 6
                    functions:
                      - {count_by: country, top: 4}
                """);
        FeatureExtractor x = FeatureExtractor.of(p);
        Schema schema = p.eventSchema();
        EntityFeatureState s = x.newState();
        Random rnd = new Random(17);
        List<long[]> seen = new ArrayList<>();     // {time, value index}
        long t = T0;
        int exactColumns = 0;
        int inexactColumns = 0;
        for (int i = 0; i < 3000; i++) {
            t += rnd.nextInt(400);
            // skewed: value 0 about a third of the time, then a long tail of 30 values
            int value = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(30);
            float[] v = x.extract(event(schema, "u1", "c" + value, 1, "A", t), s);
            long width = windowMs / buckets;
            long k = Math.floorDiv(t, width);
            double[] exact = new double[n];
            double[] bound = new double[n];
            Map<Integer, Set<Integer>> valuesOfColumn = new HashMap<>();
            int events = 0;
            for (long[] e : seen) {
                if (Math.floorDiv(e[0], width) >= k - buckets) {
                    int col = column("c" + e[1], n);
                    exact[col]++;
                    valuesOfColumn.computeIfAbsent(col, c -> new HashSet<>()).add((int) e[1]);
                    events++;
                }
            }
            exact[column("c" + value, n)]++;
            for (int c = 0; c < n; c++) {
                int distinct = valuesOfColumn.getOrDefault(c, Set.of()).size();
                bound[c] = distinct * (double) events / (n + 1);
                assertThat((double) v[c]).as("event %d column %d", i, c).isLessThanOrEqualTo(exact[c])
                        .isGreaterThanOrEqualTo(exact[c] - bound[c]);
                if (v[c] == exact[c]) {
                    exactColumns++;
                } else {
                    inexactColumns++;
                }
            }
            seen.add(new long[] {t, value});
        }
        // the summaries did evict (the test exercises the bound), and the frequent value's column stays close
        assertThat(inexactColumns).isPositive();
        assertThat(exactColumns).isPositive();
    }

    @Test
    void sessionsCountEventsAndSecondsUntilAGapLongerThanTheSessionGap() throws Exception {
        PipelineSpec p = spec("""
                    session-gap: 10m
                    functions: [session_events, session_duration, time_since_previous]
                """);
        FeatureExtractor x = FeatureExtractor.of(p);
        Schema schema = p.eventSchema();
        EntityFeatureState s = x.newState();
        long[][] stream = {
                // minutes x 1000 (so 23.5 min is 23_500), expected events, expected seconds
                {0, 1, 0},
                {4_000, 2, 240},
                {13_000, 3, 780},            // 9 min after the newest: same session
                {12_000, 4, 720},            // out of order, inside the session
                {24_000, 1, 0},              // 11 min after the newest: a new session
                {23_500, 2, 0},              // 30 s before the new session's first event: joins it and becomes its first
                {25_000, 3, 90},             // 1.5 min after 23.5
                {5_000, 1, 0},               // an earlier session, no longer kept: a session of its own
                {26_000, 4, 150},            // ... which left the current one as it was
        };
        for (long[] e : stream) {
            long t = T0 + e[0] * MIN / 1000;
            float[] v = x.extract(event(schema, "u2", "DE", 1, "A", t), s);
            assertThat(v[0]).as("events at %d", e[0]).isEqualTo((float) e[1]);
            assertThat(v[1]).as("duration at %d", e[0]).isEqualTo((float) e[2]);
        }
        assertThat(s.sessionEvents).isEqualTo(4);
        assertThat(s.sessionStart).isEqualTo(T0 + 23 * MIN + MIN / 2);
        assertThat(s.sessionNewest).isEqualTo(T0 + 26 * MIN);
    }

    @Test
    void aSpecWithoutSessionsLeavesTheSessionStateUntouched() throws Exception {
        PipelineSpec p = spec("""
                    windows: [1m]
                    functions: [count]
                """);
        FeatureExtractor x = FeatureExtractor.of(p);
        EntityFeatureState s = x.newState();
        x.extract(event(p.eventSchema(), "u1", "DE", 1, "A", T0), s);
        assertThat(s.sessionEvents).isZero();
        assertThat(s.sessionStart).isEqualTo(Long.MIN_VALUE);
        assertThat(s.entryCounters).isZero();
    }
}
