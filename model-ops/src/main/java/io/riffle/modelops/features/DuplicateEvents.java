package io.riffle.modelops.features;

import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;

/**
 * Finds events whose id the same entity already had: a producer that retries, a replayed
 * partition, a source written twice. Each entity's {@link EntityFeatureState} remembers the
 * 64-bit hashes of its recent event ids with their event times, for {@code within} of event time
 * behind its newest event and at most {@code capacity} of them (the oldest go first), so the
 * memory per entity is bounded however busy it is. The ids live in the keyed state, so they are
 * checkpointed and restored with the aggregates they belong to.
 */
public final class DuplicateEvents implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Most ids an entity remembers: a busy entity forgets its oldest ids first. */
    public static final int DEFAULT_CAPACITY = 1_024;

    private final long withinMs;
    private final int capacity;

    public DuplicateEvents(Duration within, int capacity) {
        if (within.isNegative() || within.isZero() || capacity < 1) {
            throw new IllegalArgumentException("duplicate window must be positive and capacity at least 1");
        }
        this.withinMs = within.toMillis();
        this.capacity = capacity;
    }

    /** The hash an event id is remembered by (the same for a String and a decoded Avro Utf8 of it). */
    public static long hash(Object eventId) {
        return TextHashes.hash64(eventId);
    }

    /** Whether {@code state} remembers an event with this id hash. */
    public boolean seen(EntityFeatureState state, long idHash) {
        index(state);
        if (!mayHold(state, idHash)) {
            return false;
        }
        long[] recent = state.recent;
        for (int i = 0, n = 2 * state.recentCount; i < n; i += 2) {
            if (recent[i] == idHash) {
                return true;
            }
        }
        return false;
    }

    /**
     * Remembers an event of time {@code eventTime}, forgetting the ids older than the window
     * behind the newer of it and the entity's newest event (call before the extractor moves
     * {@code newestTime}, or after: the result is the same).
     */
    public void remember(EntityFeatureState state, long idHash, long eventTime) {
        index(state);
        long newest = Math.max(state.newestTime, eventTime);
        long oldest = newest - withinMs;
        if (state.recentOldest < oldest) {
            // keep those still in the window, in arrival order (only when one has left it)
            int n = 2 * state.recentCount;
            long[] recent = state.recent;
            int kept = 0;
            for (int i = 0; i < n; i += 2) {
                if (recent[i + 1] >= oldest) {
                    recent[kept] = recent[i];
                    recent[kept + 1] = recent[i + 1];
                    kept += 2;
                }
            }
            state.recentCount = kept / 2;
            reindex(state);
        }
        if (eventTime < oldest) {
            return;
        }
        int kept = state.recentCount;
        long[] recent = state.recent;
        boolean evicted = kept == capacity;
        if (evicted) {
            System.arraycopy(recent, 2, recent, 0, 2 * (kept - 1));
            kept--;
        }
        if (recent == null || 2 * kept == recent.length) {
            int room = Math.min(capacity, Math.max(4, kept + (kept >> 1)));
            state.recent = recent = recent == null ? new long[2 * room] : Arrays.copyOf(recent, 2 * room);
        }
        recent[2 * kept] = idHash;
        recent[2 * kept + 1] = eventTime;
        state.recentCount = kept + 1;
        if (evicted) {
            reindex(state);
        } else {
            add(state, idHash, eventTime);
        }
    }

    /** Builds the state's filter and oldest time from its ids when they are not current (a state just read back). */
    private static void index(EntityFeatureState state) {
        if (!state.recentIndexed) {
            reindex(state);
        }
    }

    private static void reindex(EntityFeatureState state) {
        if (state.recentFilter != null) {
            Arrays.fill(state.recentFilter, 0);
        }
        state.recentOldest = Long.MAX_VALUE;
        long[] recent = state.recent;
        for (int i = 0, n = 2 * state.recentCount; i < n; i += 2) {
            add(state, recent[i], recent[i + 1]);
        }
        state.recentIndexed = true;
    }

    /**
     * Longs of an entity's filter: 512 bits, so that with two bits per id an id the entity never
     * had still passes for one of its last 60 ids about 4% of the time (a 128-bit filter: 29%), and
     * its ids are scanned that rarely.
     */
    static final int FILTER_WORDS = 8;

    /** Two bits of the 512-bit filter per id, from two 9-bit parts of its hash's top bits (bits 55-63 and 46-54). */
    private static void add(EntityFeatureState state, long idHash, long eventTime) {
        long[] filter = state.recentFilter;
        if (filter == null) {
            state.recentFilter = filter = new long[FILTER_WORDS];
        }
        int first = (int) (idHash >>> 55);
        int second = (int) (idHash >>> 46) & 511;
        filter[first >>> 6] |= 1L << first;
        filter[second >>> 6] |= 1L << second;
        state.recentOldest = Math.min(state.recentOldest, eventTime);
    }

    private static boolean mayHold(EntityFeatureState state, long idHash) {
        long[] filter = state.recentFilter;
        if (filter == null) {
            return false;
        }
        int first = (int) (idHash >>> 55);
        int second = (int) (idHash >>> 46) & 511;
        return (filter[first >>> 6] & 1L << first) != 0 && (filter[second >>> 6] & 1L << second) != 0;
    }
}
