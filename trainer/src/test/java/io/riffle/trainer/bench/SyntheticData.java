package io.riffle.trainer.bench;

import io.riffle.trainer.data.Dataset;
import java.util.SplittableRandom;

/**
 * A reproducible synthetic fraud-like data set. Normal rows lie near a 4-dimensional linear
 * subspace of the feature space ({@code x = A h + 0.5 noise}), so an autoencoder can learn them;
 * positives are shifted off that subspace on four features and one feature's spread grows, so
 * they are separable both linearly and by reconstruction error. Features then get very different
 * scales and offsets (as amounts and counts have), which standardisation must undo.
 */
public final class SyntheticData {

    private static final int LATENT = 4;
    private static final double NOISE = 0.5;
    private static final double SHIFT = 1.0;

    private SyntheticData() {}

    /**
     * {@code rows x features} (features >= 6), each row positive with probability
     * {@code positiveRate}; the same seed gives the same set.
     */
    public static Dataset generate(int rows, int features, double positiveRate, long seed) {
        if (features < 6) {
            throw new IllegalArgumentException("need at least 6 features, got " + features);
        }
        // The structure (A, scales) depends on the feature count only, so train and test sets
        // drawn with different seeds come from one distribution.
        SplittableRandom structure = new SplittableRandom(features * 7919L);
        double[][] a = new double[features][LATENT];
        double[] scale = new double[features];
        double[] offset = new double[features];
        for (int i = 0; i < features; i++) {
            for (int k = 0; k < LATENT; k++) {
                a[i][k] = structure.nextGaussian();
            }
            scale[i] = Math.pow(10, (i % 4) - 1); // 0.1, 1, 10, 100
            offset[i] = structure.nextGaussian() * 50 * scale[i];
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[rows * features];
        int[] labels = new int[rows];
        double[] h = new double[LATENT];
        for (int r = 0; r < rows; r++) {
            boolean positive = random.nextDouble() < positiveRate;
            labels[r] = positive ? 1 : 0;
            for (int k = 0; k < LATENT; k++) {
                h[k] = random.nextGaussian();
            }
            for (int i = 0; i < features; i++) {
                double v = NOISE * random.nextGaussian();
                for (int k = 0; k < LATENT; k++) {
                    v += a[i][k] * h[k];
                }
                if (positive) {
                    if (i < 4) {
                        v += i % 2 == 0 ? SHIFT : -SHIFT;
                    } else if (i == 4) {
                        v += 2.5 * random.nextGaussian();
                    }
                }
                x[r * features + i] = (float) (v * scale[i] + offset[i]);
            }
        }
        return new Dataset(x, rows, features, labels);
    }

    /** A copy of {@code data} with each value replaced by NaN with probability {@code share}. */
    public static Dataset withMissing(Dataset data, double share, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = data.x().clone();
        for (int k = 0; k < x.length; k++) {
            if (random.nextDouble() < share) {
                x[k] = Float.NaN;
            }
        }
        return new Dataset(x, data.rows(), data.features(), data.labels().clone());
    }
}
