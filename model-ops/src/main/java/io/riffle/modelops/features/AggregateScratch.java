package io.riffle.modelops.features;

import static io.riffle.modelops.features.WindowStats.STATS;

/**
 * One thread's work arrays for {@link WindowedAggregates}, allocated once per thread (a scorer
 * extracts for every event): the event's aggregated inputs and distinct-count hashes, the event
 * itself as a one-event bucket, and the statistics of each window at the event.
 */
final class AggregateScratch {
    final double[] aggValues;
    final long[] distinctHashes;
    final boolean[] distinctPresent;
    /** The event as a one-event bucket: its statistics, each double as its raw bits (see {@link WindowStats#merge}). */
    final long[] one;
    final WindowStats[] windows;
    /** Per count-by input: the event's column (-1: not counted, a top-N's missing value). */
    final int[] categoryColumn;
    /** Per count-by input: the event's value hash (top-N inputs only). */
    final long[] categoryKey;

    AggregateScratch(int inputs, int distinct, int windowCount, int categoryInputs, int categoryColumns) {
        categoryColumn = new int[categoryInputs];
        categoryKey = new long[categoryInputs];
        aggValues = new double[inputs];
        distinctHashes = new long[distinct];
        distinctPresent = new boolean[distinct];
        one = new long[inputs * STATS];
        windows = new WindowStats[windowCount];
        for (int w = 0; w < windowCount; w++) {
            windows[w] = new WindowStats(inputs, distinct, categoryColumns);
        }
    }
}
