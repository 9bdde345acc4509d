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
        assertThat(s.recentIds).hasSizeLessThanOrEqualTo(8);
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
    }

    @Test
    void refusesAnEmptyWindow() {
        assertThatThrownBy(() -> new DuplicateEvents(Duration.ZERO, 8)).isInstanceOf(IllegalArgumentException.class);
    }
}
