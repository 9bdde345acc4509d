package io.riffle.modelops.features;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Everything one entity's windowed aggregates need, in a few primitive arrays whose size is
 * bounded by the feature spec: it never grows beyond that with the number of events, serializes
 * cheaply (a Flink POJO: public fields, no-arg constructor, so no Kryo), and fits RocksDB's
 * one-value-per-key state.
 *
 * <p>Layout (owned by the featurizer's windowed aggregates, allocated by
 * {@link FeatureExtractor#newState()}): for each state window W (the windows the spec's aggregates
 * and ratios read) a ring of R slots, one per time bucket of width
 * {@code w = ceil(W / B)}; R = B + 1 + ceil(lateness / w) so that an event up to the allowed
 * lateness behind the entity's newest one still finds every bucket its window covers. A slot that
 * has held a bucket points ({@link #entries}) at an entry: the bucket id (bucket k covers event
 * times [k·w, (k+1)·w)), its event count, four doubles per aggregated field (sum, sum of squared
 * deviations from the bucket mean, min, max) and a 256-bit sketch for each distinct-count field
 * that window counts, and the category counters of each count_by its window reads
 * ({@link #categoryCounts}, {@link #categoryKeys}). Entries are allocated as slots are first used,
 * so an entity with a few events holds a few entries, not every slot of every ring.
 *
 * <p>The session features read the entity's current session ({@link #sessionStart},
 * {@link #sessionNewest}, {@link #sessionEvents}): three numbers, whatever the session's length.
 */
public class EntityFeatureState implements Serializable {

    private static final long serialVersionUID = 3L;

    /** Event time of the newest event seen, or {@link Long#MIN_VALUE} before the first. */
    public long newestTime = Long.MIN_VALUE;
    /** Events seen (including ones too late to enter the aggregates). */
    public long events;
    /**
     * Wall-clock time (epoch ms) of the last event the scoring job added, which expires the state
     * of a silent entity; not read by the extractor.
     */
    public long touchedAt;
    /** Per slot of every ring: 1 + the index of its entry, or 0 while the slot has never held a bucket. */
    public int[] entries;
    /** Entries in use: [0, size); the arrays below have room for more. */
    public int size;
    /** Per entry: the bucket it holds. */
    public long[] bucketIds;
    /** Per entry: its events. */
    public int[] counts;
    /** Per entry and aggregated field: sum, M2, min, max. */
    public double[] values;
    /** Per entry: 4 words of a 256-bit sketch per distinct-count field of its ring's window. */
    public long[] sketches;
    /**
     * Per entry: the count_by counters of its ring (a fixed number per entry, the most any ring
     * needs): for a count_by with listed values one per value and one for "other"; for a top-N one
     * per summary slot, 0 meaning the slot is free.
     */
    public int[] categoryCounts;
    /**
     * Per entry: the 64-bit value hash held by each top-N summary slot (a fixed number per entry;
     * meaningless where the slot's counter is 0).
     */
    public long[] categoryKeys;
    /** Event time of the current session's first event, or {@link Long#MIN_VALUE} before any. */
    public long sessionStart = Long.MIN_VALUE;
    /** Event time of the current session's newest event, or {@link Long#MIN_VALUE} before any. */
    public long sessionNewest = Long.MIN_VALUE;
    /** Events in the current session; 0 when the spec has no session features. */
    public long sessionEvents;
    /** Hashes of the entity's recent event ids, in arrival order: [0, recentCount) (owned by {@link DuplicateEvents}). */
    public long[] recentIds;
    /** Event time of each of {@link #recentIds}. */
    public long[] recentTimes;
    public int recentCount;
    /**
     * Derived from {@link #recentIds} and {@link #recentTimes}, never serialized (owned by
     * {@link DuplicateEvents}, which rebuilds them when {@link #recentIndexed} is false, as in a
     * state just read back): a 128-bit filter of the ids' hashes, so that a new id (nearly every
     * event) is told apart without reading the ids, and the oldest of their times, so that the ids
     * are only scanned for expiry when one has expired.
     */
    public long recentFilterLow;
    public long recentFilterHigh;
    public long recentOldest;
    public boolean recentIndexed;

    public EntityFeatureState() {}

    /** A deep copy. */
    public EntityFeatureState copy() {
        EntityFeatureState to = new EntityFeatureState();
        to.newestTime = newestTime;
        to.events = events;
        to.touchedAt = touchedAt;
        to.size = size;
        to.entries = entries == null ? null : entries.clone();
        to.bucketIds = bucketIds == null ? null : bucketIds.clone();
        to.counts = counts == null ? null : counts.clone();
        to.values = values == null ? null : values.clone();
        to.sketches = sketches == null ? null : sketches.clone();
        to.recentIds = recentIds == null ? null : recentIds.clone();
        to.recentTimes = recentTimes == null ? null : recentTimes.clone();
        to.recentCount = recentCount;
        to.recentFilterLow = recentFilterLow;
        to.recentFilterHigh = recentFilterHigh;
        to.recentOldest = recentOldest;
        to.recentIndexed = recentIndexed;
        to.categoryCounts = categoryCounts == null ? null : categoryCounts.clone();
        to.categoryKeys = categoryKeys == null ? null : categoryKeys.clone();
        to.sessionStart = sessionStart;
        to.sessionNewest = sessionNewest;
        to.sessionEvents = sessionEvents;
        return to;
    }

    /** Approximate heap bytes of the arrays' contents: grows with the slots used, up to a bound fixed by the spec. */
    public long sizeInBytes() {
        long n = 40;
        n += entries == null ? 0 : 4L * entries.length;
        n += bucketIds == null ? 0 : 8L * bucketIds.length;
        n += counts == null ? 0 : 4L * counts.length;
        n += values == null ? 0 : 8L * values.length;
        n += sketches == null ? 0 : 8L * sketches.length;
        n += recentIds == null ? 0 : 16L * recentIds.length;
        n += categoryCounts == null ? 0 : 4L * categoryCounts.length;
        n += categoryKeys == null ? 0 : 8L * categoryKeys.length;
        return n + 24;
    }

    /** Whether nothing has been seen yet. */
    public boolean isEmpty() {
        return events == 0;
    }

    /** Equal content: the same slots holding the same buckets and aggregates, whatever the entries' order or spare room. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EntityFeatureState s) || newestTime != s.newestTime || events != s.events
                || touchedAt != s.touchedAt || size != s.size || (entries == null) != (s.entries == null)
                || recentCount != s.recentCount || sessionStart != s.sessionStart || sessionNewest != s.sessionNewest
                || sessionEvents != s.sessionEvents
                || recentCount > 0 && (!Arrays.equals(recentIds, 0, recentCount, s.recentIds, 0, recentCount)
                        || !Arrays.equals(recentTimes, 0, recentCount, s.recentTimes, 0, recentCount))) {
            return false;
        }
        if (entries == null) {
            return true;
        }
        int perValues = bucketIds.length == 0 ? 0 : values.length / bucketIds.length;
        int perWords = bucketIds.length == 0 ? 0 : sketches.length / bucketIds.length;
        int perCounters = perEntry(categoryCounts, bucketIds.length);
        int perKeys = perEntry(categoryKeys, bucketIds.length);
        if (entries.length != s.entries.length || size > 0
                && (perValues != s.values.length / s.bucketIds.length || perWords != s.sketches.length / s.bucketIds.length
                || perCounters != perEntry(s.categoryCounts, s.bucketIds.length)
                || perKeys != perEntry(s.categoryKeys, s.bucketIds.length))) {
            return false;
        }
        for (int slot = 0; slot < entries.length; slot++) {
            int a = entries[slot] - 1;
            int b = s.entries[slot] - 1;
            if ((a < 0) != (b < 0)) {
                return false;
            }
            if (a >= 0 && (bucketIds[a] != s.bucketIds[b] || counts[a] != s.counts[b]
                    || !Arrays.equals(values, a * perValues, (a + 1) * perValues, s.values, b * perValues, (b + 1) * perValues)
                    || !Arrays.equals(sketches, a * perWords, (a + 1) * perWords, s.sketches, b * perWords, (b + 1) * perWords)
                    || perCounters > 0 && !Arrays.equals(categoryCounts, a * perCounters, (a + 1) * perCounters,
                            s.categoryCounts, b * perCounters, (b + 1) * perCounters)
                    || perKeys > 0 && !sameKeys(s, a, b, perCounters, perKeys))) {
                return false;
            }
        }
        return true;
    }

    /** Counters or keys per entry of an array sized for {@code room} entries (0 for none). */
    public static int perEntry(int[] a, int room) {
        return a == null || room == 0 ? 0 : a.length / room;
    }

    /** Keys or counters per entry of an array sized for {@code room} entries (0 for none). */
    public static int perEntry(long[] a, int room) {
        return a == null || room == 0 ? 0 : a.length / room;
    }

    /** The top-N keys of entry a here and b of s, compared only where a counter holds one (a free slot's key is stale). */
    private boolean sameKeys(EntityFeatureState s, int a, int b, int perCounters, int perKeys) {
        // the keyed slots come first in an entry's counters (see WindowedAggregates), so key i goes with counter i
        for (int i = 0; i < perKeys; i++) {
            boolean used = categoryCounts[a * perCounters + i] > 0;
            if (used && categoryKeys[a * perKeys + i] != s.categoryKeys[b * perKeys + i]) {
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
