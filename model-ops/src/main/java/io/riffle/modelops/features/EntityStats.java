package io.riffle.modelops.features;

/**
 * Running statistics of one entity (card), kept in keyed state by the scorer and in a map by
 * offline fitting. A Flink POJO (public fields, no-arg constructor) so it is serialized
 * without Kryo.
 */
public class EntityStats {
    /** Event time of the newest event seen, or {@link Long#MIN_VALUE} before the first. */
    public long lastEventTime = Long.MIN_VALUE;
    /** Exponentially decayed event count (half-life {@link TransactionFeatures#COUNT_HALF_LIFE_MS}). */
    public double decayedCount;
    /** Running mean of the amounts seen before the current event. */
    public double meanAmount;
    /** Number of events seen. */
    public long eventCount;
    /** Bucketed hash of the previous event's country, or 0 before the first. */
    public int lastCountryHash;

    public EntityStats() {}
}
