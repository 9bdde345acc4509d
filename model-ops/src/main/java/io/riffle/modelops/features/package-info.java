/**
 * The featurize stage of the data path, Flink-free: the scoring job's keyed operator calls it for
 * every event, and the vectors it writes (to the scorer's batch and to the features topic) are what
 * the trainer later trains on; the demo's bootstrap models and the benchmarks call it directly.
 *
 * <p>{@link io.riffle.modelops.features.FeatureExtractor} is the facade: it computes any
 * {@link io.riffle.modelops.spec.FeatureSpec}'s vector from an Avro record by walking its
 * {@code ColumnPlan} (which columns, in what order), with {@code FieldTransforms} for the columns
 * of the event alone and {@code WindowedAggregates} for the entity's windows, kept in an
 * {@link io.riffle.modelops.features.EntityFeatureState} of bounded size (the buckets it has used,
 * at most one per slot of each window's ring). {@link io.riffle.modelops.features.EventFields}
 * reads an event's key, id, time and numbers by position, for the featurizer and the event decoder
 * alike.
 *
 * <p>Aggregates over a window W use B time buckets of width w = ceil(W / B) (B = {@code buckets},
 * default 20): an event at t sees the buckets [k − B, k] of its bucket k, i.e. every event of
 * (t − W, t] plus at most one bucket width of older ones (and, for an out-of-order event, newer
 * ones of its own bucket). Within that bucket-aligned set count, sum, mean, std, min and max are
 * exact (up to double rounding); {@code distinct} is a 256-bit linear-counting estimate per bucket
 * (standard error about 5% up to ~250 distinct values, saturating near 1,400). Events later than
 * the allowed lateness are still scored but may miss buckets that have been reused.
 *
 * <p>{@code count_by} keeps per bucket a counter per listed value (plus "other"), or a Misra–Gries
 * summary of N value hashes and counters (each value under-counted by at most n/(N+1) in a window
 * of n events), in the same rings; {@code EntitySessions} keeps the entity's current session for
 * {@code session_events} and {@code session_duration}.
 */
package io.riffle.modelops.features;
