package io.riffle.modelops.features;

import io.riffle.modelops.spec.FeatureSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.SpecFixtures;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Randomized streams (several entities, out of order within the allowed lateness) through the
 * extractor, checked against a brute-force recomputation over the raw events.
 */
class WindowedAggregatesTest {

    private static final String SPEC = """
            events:
              schema: events.avsc
              key: userId
              id: eventId
              time: {field: ts, unit: epoch-millis}
              allowed-lateness: 20s
            features:
              aggregates:
                windows: [10s, 1m, 5m]
                buckets: 10
                functions:
                  - count
                  - sum: amount
                  - mean: amount
                  - std: amount
                  - min: amount
                  - max: amount
                  - distinct: country
                  - {distinct: eventId, windows: [1m]}    # a sketch kept in one ring only
                  - {time_since_previous: ~, cap: 5m}
              ratios:
                - {of: amount, to: "mean(amount, 1m)"}
            """;
    private static final long[] WINDOWS = {10_000, 60_000, 300_000};
    private static final String[] FUNCTIONS = {"count", "sum", "mean", "std", "min", "max", "distinct"};
    private static final long LATENESS = 20_000;

    @TempDir
    Path dir;

    private record Raw(String id, long t, double amount, String country) {}

    @Test
    void outOfOrderStreamsMatchBruteForceOverTheBucketAlignedWindow() throws Exception {
        PipelineSpec p = SpecFixtures.load(dir, SPEC);
        FeatureExtractor x = FeatureExtractor.of(p);
        List<String> names = p.features().names();
        Schema schema = p.eventSchema();
        Random rnd = new Random(42);
        Map<String, EntityFeatureState> states = new HashMap<>();
        Map<String, List<Raw>> seen = new HashMap<>();
        long clock = 1_700_000_000_000L;
        int checked = 0;
        for (int i = 0; i < 6000; i++) {
            clock += rnd.nextInt(1500);
            String user = "u" + rnd.nextInt(5);
            // at most LATENESS behind the stream's clock, so at most LATENESS behind the entity's newest event
            long t = clock - (rnd.nextInt(4) == 0 ? (long) rnd.nextInt((int) LATENESS + 1) : 0);
            double amount = Math.round(rnd.nextGaussian() * 300 + 1000) / 10.0;
            String country = "C" + rnd.nextInt(1 + rnd.nextInt(40));
            GenericRecord e = FeatureExtractorTest.event(schema, "e" + i, user, amount, 1, country, true, "A", t);

            float[] v = x.extract(e, states.computeIfAbsent(user, u -> x.newState()));

            List<Raw> prior = seen.computeIfAbsent(user, u -> new ArrayList<>());
            Raw cur = new Raw("e" + i, t, amount, country);
            for (int w = 0; w < WINDOWS.length; w++) {
                long width = x.bucketWidthMillis(Duration.ofMillis(WINDOWS[w]));
                assertThat(width).isEqualTo(WINDOWS[w] / 10);
                long k = Math.floorDiv(t, width);
                List<Raw> aligned = new ArrayList<>(List.of(cur));
                int exactWindow = 1;
                int widened = 1;
                for (Raw r : prior) {
                    long rk = Math.floorDiv(r.t, width);
                    if (rk >= k - 10 && rk <= k) {
                        aligned.add(r);
                    }
                    if (r.t > t - WINDOWS[w] && r.t <= t) {
                        exactWindow++;
                    }
                    if (r.t > t - WINDOWS[w] - width && r.t < t + width) {
                        widened++;
                    }
                }
                Stats s = Stats.of(aligned);
                String suffix = "_" + (WINDOWS[w] == 10_000 ? "10s" : WINDOWS[w] == 60_000 ? "1m" : "5m");
                String at = "event " + i + " window" + suffix;
                float count = v[names.indexOf("count" + suffix)];
                // exact over the bucket-aligned set ...
                assertThat(count).as(at).isEqualTo((float) aligned.size());
                // ... which is the documented bound around the nominal window (t - W, t]
                assertThat((int) count).as(at).isBetween(exactWindow, widened);
                assertClose(v[names.indexOf("amount_sum" + suffix)], s.sum, at + " sum");
                assertClose(v[names.indexOf("amount_mean" + suffix)], s.mean, at + " mean");
                assertClose(v[names.indexOf("amount_std" + suffix)], s.std, at + " std");
                assertThat(v[names.indexOf("amount_min" + suffix)]).as(at + " min").isEqualTo((float) s.min);
                assertThat(v[names.indexOf("amount_max" + suffix)]).as(at + " max").isEqualTo((float) s.max);
                float distinct = v[names.indexOf("country_distinct" + suffix)];
                assertThat(Math.abs(distinct - s.distinct)).as(at + " distinct " + s.distinct)
                        .isLessThanOrEqualTo(2 + 0.1f * s.distinct);
                if (w == 1) {
                    // exactly the sketch of the aligned set's event ids (kept in this window's ring only)
                    long[] words = new long[DistinctSketch.WORDS];
                    for (Raw r : aligned) {
                        int bit = (int) (TextHashes.hash64(r.id) & (FeatureSpec.DISTINCT_SKETCH_BITS - 1));
                        words[bit >>> 6] |= 1L << (bit & 63);
                    }
                    assertThat(v[names.indexOf("eventId_distinct_1m")]).as(at + " distinct ids")
                            .isEqualTo((float) DistinctSketch.estimate(words, 0));
                    assertClose(v[names.indexOf("amount_to_amount_mean_1m")], amount / s.mean, at + " ratio");
                }
                checked++;
            }
            long newest = prior.stream().mapToLong(Raw::t).max().orElse(Long.MIN_VALUE);
            double since = prior.isEmpty() ? 300.0 : Math.min(300.0, Math.max(0, t - newest) / 1000.0);
            assertThat(v[names.indexOf("time_since_previous")]).as("event " + i).isEqualTo((float) since);
            prior.add(cur);
        }
        assertThat(checked).isEqualTo(18_000);
        assertThat(x.lateEvents()).isZero();
        assertThat(x.eventsNotAggregated()).isZero();
    }

    @Test
    void eventsBeyondLatenessAreCountedAndStateStaysTheSameSize() throws Exception {
        PipelineSpec p = SpecFixtures.load(dir, SPEC);
        FeatureExtractor x = FeatureExtractor.of(p);
        Schema schema = p.eventSchema();
        EntityFeatureState state = x.newState();
        long size = state.sizeInBytes();
        long t0 = 1_700_000_000_000L;
        int countIdx = p.features().names().indexOf("count_10s");

        for (int i = 0; i < 100; i++) {
            x.extract(FeatureExtractorTest.event(schema, "e" + i, "u", 1.0, 1, "C" + i, true, "A", t0 + i * 600L), state);
        }
        long after100 = state.sizeInBytes();
        long newest = t0 + 99 * 600L;
        int count5m = p.features().names().indexOf("count_5m");

        // 40 s behind the newest: beyond the 20 s lateness (counted), and beyond what the 10 s window's
        // ring keeps (31 one-second buckets): its bucket there has been reused by a newer one
        float[] v = x.extract(FeatureExtractorTest.event(schema, "late", "u", 1.0, 1, "X", true, "A", newest - 40_000), state);
        assertThat(x.lateEvents()).isEqualTo(1);
        assertThat(x.eventsNotAggregated()).isEqualTo(1);
        assertThat(v[countIdx]).isEqualTo(1f); // it is still scored; its 10 s window holds only itself
        // the 5 m ring (30 s buckets) still had its bucket: the late event counts there
        float[] w = x.extract(FeatureExtractorTest.event(schema, "next", "u", 1.0, 1, "X", true, "A", newest + 1), state);
        assertThat(w[count5m]).isEqualTo(102f);

        // 200,000 more events later the state has used every slot and grown no further: one entry per slot
        for (int i = 0; i < 200_000; i++) {
            x.extract(FeatureExtractorTest.event(schema, "f" + i, "u", i % 97, 1, "C" + (i % 13), true, "A",
                    newest + 2 + i * 37L), state);
        }
        // ring sizes: B + 1 + ceil(lateness / width) per window = (10+1+20) + (10+1+4) + (10+1+1)
        assertThat(x.slots()).isEqualTo(31 + 15 + 12);
        assertThat(state.slots).isEqualTo(31 + 15 + 12);
        assertThat(state.size).isEqualTo(31 + 15 + 12);
        assertThat(state.capacity()).isEqualTo(31 + 15 + 12);
        long full = state.sizeInBytes();
        assertThat(after100).isLessThanOrEqualTo(full);
        assertThat(size).isLessThan(full / 5);   // a fresh state holds room for a few entries only
        for (int i = 0; i < 1_000; i++) {
            x.extract(FeatureExtractorTest.event(schema, "g" + i, "u", i % 7, 1, "C" + (i % 5), true, "A",
                    newest + 2 + 200_000 * 37L + i * 9_000L), state);
        }
        assertThat(state.sizeInBytes()).isEqualTo(full);
    }

    private static void assertClose(float actual, double expected, String what) {
        double tolerance = 1e-5 * Math.max(1.0, Math.abs(expected)) + 1e-3;
        assertThat((double) actual).as(what).isCloseTo(expected, org.assertj.core.data.Offset.offset(tolerance));
    }

    /** Two-pass statistics of the raw events: the reference. */
    private record Stats(double sum, double mean, double std, double min, double max, int distinct) {
        static Stats of(List<Raw> events) {
            double sum = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            Set<String> countries = new HashSet<>();
            for (Raw r : events) {
                sum += r.amount;
                min = Math.min(min, r.amount);
                max = Math.max(max, r.amount);
                countries.add(r.country);
            }
            double mean = sum / events.size();
            double ss = 0;
            for (Raw r : events) {
                ss += (r.amount - mean) * (r.amount - mean);
            }
            return new Stats(sum, mean, Math.sqrt(ss / events.size()), min, max, countries.size());
        }
    }
}
