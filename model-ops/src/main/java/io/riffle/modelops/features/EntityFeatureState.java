package io.riffle.modelops.features;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Everything one entity's windowed aggregates need, in a few primitive arrays of a size fixed by
 * the feature spec: it never grows with the number of events, serializes cheaply (a Flink POJO:
 * public fields, no-arg constructor, so no Kryo), and fits RocksDB's one-value-per-key state.
 *
 * <p>Layout (owned by {@link FeatureExtractor}, which allocates it): for each state window W (the
 * windows the spec's aggregates and ratios read) a ring of R slots, one per time bucket of width
 * {@code w = ceil(W / B)}; R = B + 1 + ceil(lateness / w) so that an event up to the allowed
 * lateness behind the entity's newest one still finds every bucket its window covers. Slot s of a
 * ring holds bucket {@code bucketIds[s]} (bucket k covers event times [k·w, (k+1)·w)), its event
 * count and four doubles per aggregated field (sum, sum of squared deviations from the bucket
 * mean, min, max); the slots of a window's ring also hold a 256-bit sketch for each distinct-count
 * field that window counts (and none for the others: a sketch is the largest part of a slot).
 */
public class EntityFeatureState implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Event time of the newest event seen, or {@link Long#MIN_VALUE} before the first. */
    public long newestTime = Long.MIN_VALUE;
    /** Events seen (including ones too late to enter the aggregates). */
    public long events;
    /** Bucket index held by each slot of every ring; {@link Long#MIN_VALUE} when empty. */
    public long[] bucketIds;
    /** Events in each slot. */
    public int[] counts;
    /** Per slot and aggregated field: sum, M2, min, max. */
    public double[] values;
    /** Per ring, per slot and distinct-count field of that ring's window: 4 words of a 256-bit sketch. */
    public long[] sketches;
    /**
     * Wall-clock time (epoch ms) of the last event the scoring job added, which expires the state
     * of a silent entity; not read by the extractor.
     */
    public long touchedAt;

    public EntityFeatureState() {}

    /** Approximate heap bytes of the arrays' contents: constant for a given spec. */
    public long sizeInBytes() {
        long n = 16;
        n += bucketIds == null ? 0 : 8L * bucketIds.length;
        n += counts == null ? 0 : 4L * counts.length;
        n += values == null ? 0 : 8L * values.length;
        n += sketches == null ? 0 : 8L * sketches.length;
        return n;
    }

    /** Whether nothing has been seen yet. */
    public boolean isEmpty() {
        return events == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EntityFeatureState s && newestTime == s.newestTime && events == s.events
                && touchedAt == s.touchedAt
                && Arrays.equals(bucketIds, s.bucketIds) && Arrays.equals(counts, s.counts)
                && Arrays.equals(values, s.values) && Arrays.equals(sketches, s.sketches);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(newestTime) * 31 + Arrays.hashCode(bucketIds);
    }
}
