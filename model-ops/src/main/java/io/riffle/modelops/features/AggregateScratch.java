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
    final double[] one;
    final WindowStats[] windows;

    AggregateScratch(int inputs, int distinct, int windowCount) {
        aggValues = new double[inputs];
        distinctHashes = new long[distinct];
        distinctPresent = new boolean[distinct];
        one = new double[inputs * STATS];
        windows = new WindowStats[windowCount];
        for (int w = 0; w < windowCount; w++) {
            windows[w] = new WindowStats(inputs, distinct);
        }
    }
}
