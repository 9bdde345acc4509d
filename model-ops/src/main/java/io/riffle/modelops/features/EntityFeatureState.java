package io.riffle.modelops.features;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Everything one entity's windowed aggregates need, in one array of longs whose size is bounded by
 * the feature spec (it never grows beyond that with the number of events), plus one of its recent
 * event ids: a state is three objects, so reading it for an event touches a few adjacent cache
 * lines instead of a dozen arrays spread over the heap (memory latency over 100,000 entities was
 * most of the scorer's time), and a copy-on-write copy or a checkpoint reads two arrays. Written by
 * Riffle's own serializer (only the entries in use), so no Kryo.
 *
 * <p>Layout (owned by the featurizer's windowed aggregates, allocated by
 * {@link FeatureExtractor#newState()}): for each state window W (the windows the spec's aggregates
 * and ratios read) a ring of R slots, one per time bucket of width {@code w = ceil(W / B)};
 * R = B + 1 + ceil(lateness / w) so that an event up to the allowed lateness behind the entity's
 * newest one still finds every bucket its window covers. {@link #data} begins with the slot map:
 * {@link #slots} ints, two per long ({@link #entryAt}), each 1 + the index of the slot's entry, or
 * 0 while the slot has never held a bucket. Then come the entries, {@link #stride()} longs each:
 * the bucket id (bucket k covers event times [k·w, (k+1)·w)), its event count, {@link #entryValues}
 * doubles as their raw bits (per aggregated field: sum, sum of squared deviations from the bucket
 * mean, min, max), {@link #entryWords} words of 256-bit sketches (one per distinct-count field that
 * window counts), {@link #entryCounters} count_by counters (one per long) and {@link #entryKeys}
 * top-N value hashes. Entries are allocated as slots are first used, so an entity with a few events
 * holds a few entries, not every slot of every ring.
 *
 * <p>The session features read the entity's current session ({@link #sessionStart},
 * {@link #sessionNewest}, {@link #sessionEvents}): three numbers, whatever the session's length.
 */
public class EntityFeatureState implements Serializable {

    private static final long serialVersionUID = 4L;

    /** Event time of the newest event seen, or {@link Long#MIN_VALUE} before the first. */
    public long newestTime = Long.MIN_VALUE;
    /** Events seen (including ones too late to enter the aggregates). */
    public long events;
    /**
     * Wall-clock time (epoch ms) of the last event the scoring job added, which expires the state
     * of a silent entity; not read by the extractor.
     */
    public long touchedAt;
    /** Slots of all rings; the slot map and entries are in {@link #data}, null until the state is laid out. */
    public int slots;
    /** Per entry: aggregate doubles (4 per aggregated field). */
    public int entryValues;
    /** Per entry: sketch words (4 per distinct-count field of its ring's window, room for the ring with the most). */
    public int entryWords;
    /**
     * Per entry: the count_by counters of its ring (a fixed number per entry, the most any ring
     * needs): for a count_by with listed values one per value and one for "other"; for a top-N one
     * per summary slot, 0 meaning the slot is free.
     */
    public int entryCounters;
    /**
     * Per entry: the 64-bit value hash held by each top-N summary slot (meaningless where the
     * slot's counter is 0; a ring's top-N counters come first, so key i goes with counter i).
     */
    public int entryKeys;
    /** Entries in use: [0, size); {@link #data} may have room for more. */
    public int size;
    /** The slot map, then the entries (see the class comment); null until the state is laid out. */
    public long[] data;
    /** Event time of the current session's first event, or {@link Long#MIN_VALUE} before any. */
    public long sessionStart = Long.MIN_VALUE;
    /** Event time of the current session's newest event, or {@link Long#MIN_VALUE} before any. */
    public long sessionNewest = Long.MIN_VALUE;
    /** Events in the current session; 0 when the spec has no session features. */
    public long sessionEvents;
    /**
     * Hashes of the entity's recent event ids and their event times, in arrival order and
     * interleaved: id i at {@code 2i}, its time at {@code 2i + 1}, for i in [0, recentCount)
     * (owned by {@link DuplicateEvents}).
     */
    public long[] recent;
    public int recentCount;
    /**
     * Derived from {@link #recent}, never serialized (owned by {@link DuplicateEvents}, which
     * rebuilds them when {@link #recentIndexed} is false, as in a state just read back): a 512-bit
     * filter of the ids' hashes, so that a new id (nearly every event) is told apart without
     * reading the ids, and the oldest of their times, so that the ids are only scanned for expiry
     * when one has expired.
     */
    public long[] recentFilter;
    public long recentOldest;
    public boolean recentIndexed;

    public EntityFeatureState() {}

    /** Longs of a slot map of {@code slots} slots (two per long). */
    public static int mapWords(int slots) {
        return (slots + 1) >>> 1;
    }

    /** Longs per entry with these parts: bucket id, count, values, words, counters, keys. */
    public static int stride(int values, int words, int counters, int keys) {
        return 2 + values + words + counters + keys;
    }

    /** Longs per entry of this state's layout. */
    public int stride() {
        return stride(entryValues, entryWords, entryCounters, entryKeys);
    }

    /** Entries {@link #data} has room for. */
    public int capacity() {
        return data == null ? 0 : (data.length - mapWords(slots)) / stride();
    }

    /** Lays out an empty state of {@code slots} slots with room for {@code room} entries of these parts. */
    public void layOut(int slots, int values, int words, int counters, int keys, int room) {
        this.slots = slots;
        entryValues = values;
        entryWords = words;
        entryCounters = counters;
        entryKeys = keys;
        size = 0;
        data = new long[mapWords(slots) + room * stride(values, words, counters, keys)];
    }

    /** The entry held by {@code slot}, or -1 when the slot has never held a bucket. */
    public int entryAt(int slot) {
        return (int) (data[slot >>> 1] >>> ((slot & 1) << 5)) - 1;
    }

    /** Makes {@code slot} point at entry {@code e}. */
    public void setEntryAt(int slot, int e) {
        int i = slot >>> 1;
        int shift = (slot & 1) << 5;
        data[i] = data[i] & ~(0xFFFF_FFFFL << shift) | (long) (e + 1) << shift;
    }

    /** Where entry {@code e} begins in {@link #data}: its bucket id; its count is next, then its values. */
    public int entryBase(int e) {
        return mapWords(slots) + e * stride();
    }

    /** Longs of {@link #data} that {@link #warm} reads at most: 8 KB. */
    static final int WARM_LONGS = 1024;

    /**
     * Reads one long of every cache line (64 bytes) of the part of {@link #data} in use, at most
     * {@link #WARM_LONGS}, and the long of {@link #recent} the next id goes into, and returns their
     * sum, which means nothing. A scorer warms a chunk of states one after another before it
     * computes any of their features: their cache misses then overlap, where computing each
     * state's features straight after looking it up stalls on each miss in turn. The recent ids
     * themselves are read only when the duplicate filter cannot rule an id out; warming them all
     * measured slower (KeyedScorerBenchmark: 2,644 against 2,427 ns per event, medians of three).
     */
    public long warm() {
        long sum = 0;
        if (data != null) {
            int end = Math.min(Math.min(data.length, WARM_LONGS), entryBase(size));
            for (int i = 0; i < end; i += 8) {
                sum += data[i];
            }
        }
        if (recent != null && recent.length > 0) {
            sum += recent[Math.min(recent.length - 1, 2 * recentCount)];
        }
        if (recentFilter != null) {
            sum += recentFilter[0];
        }
        return sum;
    }

    /** A deep copy. */
    public EntityFeatureState copy() {
        EntityFeatureState to = new EntityFeatureState();
        to.newestTime = newestTime;
        to.events = events;
        to.touchedAt = touchedAt;
        to.slots = slots;
        to.entryValues = entryValues;
        to.entryWords = entryWords;
        to.entryCounters = entryCounters;
        to.entryKeys = entryKeys;
        to.size = size;
        to.data = data == null ? null : data.clone();
        to.recent = recent == null ? null : recent.clone();
        to.recentCount = recentCount;
        to.recentFilter = recentFilter == null ? null : recentFilter.clone();
        to.recentOldest = recentOldest;
        to.recentIndexed = recentIndexed;
        to.sessionStart = sessionStart;
        to.sessionNewest = sessionNewest;
        to.sessionEvents = sessionEvents;
        return to;
    }

    /** Approximate heap bytes: grows with the slots used, up to a bound fixed by the spec. */
    public long sizeInBytes() {
        long n = 120;
        n += data == null ? 0 : 16 + 8L * data.length;
        n += recent == null ? 0 : 16 + 8L * recent.length;
        n += recentFilter == null ? 0 : 16 + 8L * recentFilter.length;
        return n;
    }

    /** Whether nothing has been seen yet. */
    public boolean isEmpty() {
        return events == 0;
    }

    /** Equal content: the same slots holding the same buckets and aggregates, whatever the entries' order or spare room. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EntityFeatureState s) || newestTime != s.newestTime || events != s.events
                || touchedAt != s.touchedAt || size != s.size || (data == null) != (s.data == null)
                || recentCount != s.recentCount || sessionStart != s.sessionStart || sessionNewest != s.sessionNewest
                || sessionEvents != s.sessionEvents
                || recentCount > 0 && !Arrays.equals(recent, 0, 2 * recentCount, s.recent, 0, 2 * recentCount)) {
            return false;
        }
        if (data == null) {
            return true;
        }
        if (slots != s.slots || size > 0 && (entryValues != s.entryValues || entryWords != s.entryWords
                || entryCounters != s.entryCounters || entryKeys != s.entryKeys)) {
            return false;
        }
        // bucket id, count, values, words and counters compared as they are; keys only where a counter holds one
        int compared = 2 + entryValues + entryWords + entryCounters;
        for (int slot = 0; slot < slots; slot++) {
            int a = entryAt(slot);
            int b = s.entryAt(slot);
            if ((a < 0) != (b < 0)) {
                return false;
            }
            if (a >= 0) {
                int x = entryBase(a);
                int y = s.entryBase(b);
                if (!Arrays.equals(data, x, x + compared, s.data, y, y + compared) || !sameKeys(s, x, y)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The top-N keys of the entries at x here and y in s, compared only where a counter holds one (a free slot's key is stale). */
    private boolean sameKeys(EntityFeatureState s, int x, int y) {
        int counters = 2 + entryValues + entryWords;
        int keys = counters + entryCounters;
        for (int i = 0; i < entryKeys; i++) {
            if (data[x + counters + i] > 0 && data[x + keys + i] != s.data[y + keys + i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(newestTime) * 31 + Long.hashCode(events);
    }
}
