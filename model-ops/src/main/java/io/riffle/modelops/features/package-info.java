/**
 * Feature computation shared by the scorer and the trainer, Flink-free.
 *
 * <p>{@link io.riffle.modelops.features.FeatureExtractor} computes any
 * {@link io.riffle.modelops.spec.FeatureSpec}'s vector from an Avro record and keeps each entity's
 * windowed aggregates in an {@link io.riffle.modelops.features.EntityFeatureState} of bounded size
 * (the buckets it has used, at most one per slot of each window's ring).
 * Aggregates over a window W use B time buckets of width w = ceil(W / B) (B = {@code buckets},
 * default 20): an event at t sees the buckets [k − B, k] of its bucket k, i.e. every event of
 * (t − W, t] plus at most one bucket width of older ones (and, for an out-of-order event, newer
 * ones of its own bucket). Within that bucket-aligned set count, sum, mean, std, min and max are
 * exact (up to double rounding); {@code distinct} is a 256-bit linear-counting estimate per bucket
 * (standard error about 5% up to ~250 distinct values, saturating near 1,400). Events later than
 * the allowed lateness are still scored but may miss buckets that have been reused.
 */
package io.riffle.modelops.features;
