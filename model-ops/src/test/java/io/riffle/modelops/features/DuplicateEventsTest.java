package io.riffle.modelops.features;

import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DuplicateEventsTest {

    private static final long MIN = 60_000L;

    @Test
    void anIdIsSeenAgainWithinTheWindowOfEventTime() {
        DuplicateEvents d = new DuplicateEvents(Duration.ofMinutes(10), 100);
        EntityFeatureState s = new EntityFeatureState();
        long a = DuplicateEvents.hash("e-1");
        assertThat(DuplicateEvents.hash(new Utf8("e-1"))).as("a decoded Avro string hashes as its text").isEqualTo(a);
        assertThat(d.seen(s, a)).isFalse();
        d.remember(s, a, 100 * MIN);
        s.newestTime = 100 * MIN;
        assertThat(d.seen(s, a)).isTrue();
        assertThat(d.seen(s, DuplicateEvents.hash("e-2"))).isFalse();

        // ten minutes of event time later e-1 is still remembered; past that it is forgotten
        d.remember(s, DuplicateEvents.hash("e-2"), 110 * MIN);
        s.newestTime = 110 * MIN;
        assertThat(d.seen(s, a)).isTrue();
        d.remember(s, DuplicateEvents.hash("e-3"), 110 * MIN + 1);
        assertThat(d.seen(s, a)).isFalse();
        assertThat(s.recentCount).isEqualTo(2);
    }

    @Test
    void memoryIsBoundedByTheCapacityOldestFirst() {
        DuplicateEvents d = new DuplicateEvents(Duration.ofDays(1), 8);
        EntityFeatureState s = new EntityFeatureState();
        for (int i = 0; i < 20; i++) {
            d.remember(s, DuplicateEvents.hash("e-" + i), 1_000L + i);
        }
        assertThat(s.recentCount).isEqualTo(8);
        assertThat(s.recent).hasSizeLessThanOrEqualTo(2 * 8);
        for (int i = 0; i < 20; i++) {
            assertThat(d.seen(s, DuplicateEvents.hash("e-" + i))).as("e-" + i).isEqualTo(i >= 12);
        }
    }

    @Test
    void anEventOlderThanTheWindowIsNotRemembered() {
        DuplicateEvents d = new DuplicateEvents(Duration.ofMinutes(1), 8);
        EntityFeatureState s = new EntityFeatureState();
        s.newestTime = 10 * MIN;
        d.remember(s, DuplicateEvents.hash("late"), 5 * MIN);
        assertThat(s.recentCount).isZero();
    }

    @Test
    void copiesAndEqualityIncludeTheIds() {
        DuplicateEvents d = new DuplicateEvents(Duration.ofMinutes(1), 8);
        EntityFeatureState s = new EntityFeatureState();
        d.remember(s, 42L, 1_000L);
        EntityFeatureState copy = s.copy();
        assertThat(copy).isEqualTo(s);
        d.remember(copy, 43L, 1_001L);
        assertThat(copy).isNotEqualTo(s);
        assertThat(d.seen(s, 43L)).isFalse();
        // the copy's filter is its own: evicting 42 and 43 from the copy rebuilds the copy's filter only
        for (long id = 100; id < 108; id++) {
            d.remember(copy, id * 0x9E3779B97F4A7C15L, 1_002L);
        }
        assertThat(d.seen(copy, 42L)).isFalse();
        assertThat(d.seen(s, 42L)).isTrue();
    }

    /**
     * The filter and the oldest time that spare most events a scan of the ids agree with the ids
     * themselves: against a plain list that forgets by the same rules, over random ids (some
     * repeated), times out of order, evictions by capacity, and states read back (which carry the
     * ids only and rebuild the rest).
     */
    @Test
    void answersAsAPlainListOfRecentIdsWould() {
        java.util.Random random = new java.util.Random(41);
        for (int round = 0; round < 200; round++) {
            int capacity = 1 + random.nextInt(round % 2 == 0 ? 8 : 300);
            long withinMs = 1 + random.nextInt(5_000);
            DuplicateEvents d = new DuplicateEvents(Duration.ofMillis(withinMs), capacity);
            EntityFeatureState s = new EntityFeatureState();
            java.util.List<long[]> reference = new java.util.ArrayList<>();
            long newest = Long.MIN_VALUE;
            for (int i = 0; i < 2_000; i++) {
                long id = random.nextInt(4) == 0 ? random.nextInt(50) * 0x9E3779B97F4A7C15L : random.nextLong();
                long time = 1_000_000 + i * 3L + random.nextInt(2_000) - 1_000;
                boolean expected = reference.stream().anyMatch(r -> r[0] == id);
                assertThat(d.seen(s, id)).as("round %d event %d", round, i).isEqualTo(expected);
                if (expected && random.nextBoolean()) {
                    continue;
                }
                d.remember(s, id, time);
                long oldest = Math.max(newest, time) - withinMs;
                reference.removeIf(r -> r[1] < oldest);
                if (time >= oldest) {
                    if (reference.size() == capacity) {
                        reference.remove(0);
                    }
                    reference.add(new long[] {id, time});
                }
                newest = Math.max(newest, time);
                s.newestTime = newest;
                assertThat(s.recentCount).isEqualTo(reference.size());
                if (random.nextInt(100) == 0) {
                    s = readBack(s);
                }
            }
        }
    }

    /** What a serializer round trip keeps: the ids, their times and the rest of the state, nothing derived. */
    private static EntityFeatureState readBack(EntityFeatureState s) {
        EntityFeatureState back = new EntityFeatureState();
        back.newestTime = s.newestTime;
        back.recentCount = s.recentCount;
        back.recent = java.util.Arrays.copyOf(s.recent == null ? new long[0] : s.recent, 2 * s.recentCount);
        assertThat(back).isEqualTo(s);
        return back;
    }

    @Test
    void refusesAnEmptyWindow() {
        assertThatThrownBy(() -> new DuplicateEvents(Duration.ZERO, 8)).isInstanceOf(IllegalArgumentException.class);
    }
}
