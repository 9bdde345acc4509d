package io.riffle.modelops.features;

import io.riffle.modelops.spec.FeatureSpec;

/**
 * The distinct-count sketch of the windowed aggregates: {@link FeatureSpec#DISTINCT_SKETCH_BITS}
 * bits in {@link #WORDS} longs at an offset of a caller's array (the entity state packs one per
 * bucket and distinct-count field; a window's merge ORs them), so a sketch is never an object.
 */
final class DistinctSketch {

    /** Longs per sketch. */
    static final int WORDS = FeatureSpec.DISTINCT_SKETCH_BITS / 64;

    private DistinctSketch() {}

    /** Sets the bit of {@code hash} (a {@link TextHashes#hash64}: its low bits are uniform) in the sketch at {@code off}. */
    static void add(long[] words, int off, long hash) {
        int bit = (int) (hash & (FeatureSpec.DISTINCT_SKETCH_BITS - 1));
        words[off + (bit >>> 6)] |= 1L << (bit & 63);
    }

    /** ORs the sketch at {@code from} of {@code src} into the one at {@code to} of {@code dst}. */
    static void merge(long[] src, int from, long[] dst, int to) {
        for (int i = 0; i < WORDS; i++) {
            dst[to + i] |= src[from + i];
        }
    }

    /**
     * Linear counting (Whang et al. 1990): with m bits of which z are still zero, n ≈ m·ln(m/z).
     * With m = 256 its standard error is about 5% up to ~250 distinct values and grows beyond; a
     * full sketch (≳ 1,400 values) saturates at m·ln(m) ≈ 1,420.
     */
    static double estimate(long[] words, int off) {
        int m = FeatureSpec.DISTINCT_SKETCH_BITS;
        int ones = 0;
        for (int i = 0; i < WORDS; i++) {
            ones += Long.bitCount(words[off + i]);
        }
        int zeros = m - ones;
        return zeros == 0 ? m * Math.log(m) : m * Math.log((double) m / zeros);
    }
}
