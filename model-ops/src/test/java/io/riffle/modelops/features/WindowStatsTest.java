package io.riffle.modelops.features;

import io.riffle.modelops.spec.AggregateFeature.Function;
import io.riffle.modelops.spec.FeatureSpec;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** A window's merge of buckets, the distinct sketch, and the text hashes they rest on. */
class WindowStatsTest {

    /** Statistics of {@code xs} laid out as a bucket: sum, M2, min, max. */
    private static double[] bucket(double... xs) {
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double x : xs) {
            sum += x;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        double m2 = 0;
        for (double x : xs) {
            m2 += (x - sum / xs.length) * (x - sum / xs.length);
        }
        return new double[] {sum, m2, min, max};
    }

    /** The doubles as their raw bits, as an entity state holds a bucket's statistics. */
    private static long[] bits(double[] xs) {
        long[] out = new long[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = Double.doubleToRawLongBits(xs[i]);
        }
        return out;
    }

    @Test
    void mergedBucketsGiveTheStatisticsOfAllTheirEvents() {
        Random random = new Random(3);
        WindowStats w = new WindowStats(1, 0);
        w.merge(5, bits(new double[] {99, 99, 99, 99}), 0);
        w.clear();
        double[] all = new double[60];
        for (int b = 0; b < 6; b++) {
            double[] xs = new double[10];
            for (int i = 0; i < 10; i++) {
                xs[i] = all[b * 10 + i] = 1e6 + random.nextGaussian() * 3;
            }
            w.merge(10, bits(bucket(xs)), 0);
        }
        double[] whole = bucket(all);
        assertThat(w.value(Function.COUNT, 0)).isEqualTo(60);
        assertThat(w.value(Function.SUM, 0)).isCloseTo(whole[0], within(1e-6));
        assertThat(w.value(Function.MEAN, 0)).isCloseTo(whole[0] / 60, within(1e-9));
        assertThat(w.value(Function.STD, 0)).isCloseTo(Math.sqrt(whole[1] / 60), within(1e-6));
        assertThat(w.value(Function.MIN, 0)).isEqualTo(whole[2]);
        assertThat(w.value(Function.MAX, 0)).isEqualTo(whole[3]);
    }

    @Test
    void sketchesCountDistinctValuesAndMergeByOr() {
        WindowStats w = new WindowStats(0, 2);
        long[] bucket = new long[DistinctSketch.WORDS];
        for (int i = 0; i < 100; i++) {
            DistinctSketch.add(bucket, 0, TextHashes.hash64("v" + i));
            DistinctSketch.add(bucket, 0, TextHashes.hash64(new Utf8("v" + i))); // the same value again
        }
        DistinctSketch.merge(bucket, 0, w.sketch, DistinctSketch.WORDS);
        assertThat(w.value(Function.DISTINCT, 0)).isZero();
        assertThat(w.value(Function.DISTINCT, 1)).isCloseTo(100, within(15.0));
        long[] full = new long[DistinctSketch.WORDS];
        java.util.Arrays.fill(full, -1L);
        int m = FeatureSpec.DISTINCT_SKETCH_BITS;
        assertThat(DistinctSketch.estimate(full, 0)).as("saturated").isEqualTo(m * Math.log(m));
    }

    @Test
    void textHashesAreTheSameForStringsAndDecodedUtf8() {
        for (String s : new String[] {"", "DE", "straße", "ÅLAND", "a longer value with spaces"}) {
            assertThat(TextHashes.hash64(new Utf8(s))).isEqualTo(TextHashes.hash64(s));
            assertThat(TextHashes.bucket(new Utf8(s), 7)).isEqualTo(TextHashes.bucket(s, 7)).isBetween(0, 6);
        }
        // a reused Utf8 whose buffer is longer than its text hashes only the text
        Utf8 reused = new Utf8("a much longer text");
        reused.set("DE");
        assertThat(TextHashes.hash64(reused)).isEqualTo(TextHashes.hash64("DE"));
        // FNV-1a 32 of the empty text is its offset basis
        assertThat(TextHashes.bucket("", 1 << 30)).isEqualTo(Math.floorMod(0x811c9dc5, 1 << 30));
    }
}
