package io.riffle.trainer.model;

import io.riffle.trainer.data.Dataset;
import java.util.Random;

/**
 * A separable synthetic multiclass problem: each of K classes has a random centre in feature space
 * and its rows are that centre plus unit noise; class frequencies fall off like a catalogue's
 * (Zipf-like), so popularity alone is a weak but non-trivial ranking.
 */
public final class MulticlassData {

    /** The rows ({@code x}, labels all 0) and each row's class. */
    public record Problem(Dataset data, int[] classes) { }

    private MulticlassData() {}

    public static Problem generate(int rows, int features, int classes, double spread, long seed) {
        Random centres = new Random(42);
        float[][] centre = new float[classes][features];
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < features; j++) {
                centre[c][j] = (float) (centres.nextGaussian() * spread);
            }
        }
        double[] cumulative = new double[classes];
        double total = 0;
        for (int c = 0; c < classes; c++) {
            total += 1.0 / Math.pow(c + 1, 0.6);
            cumulative[c] = total;
        }
        Random random = new Random(seed);
        float[] x = new float[rows * features];
        int[] cls = new int[rows];
        for (int r = 0; r < rows; r++) {
            double u = random.nextDouble() * total;
            int c = java.util.Arrays.binarySearch(cumulative, u);
            c = Math.min(classes - 1, c < 0 ? -c - 1 : c);
            cls[r] = c;
            for (int j = 0; j < features; j++) {
                x[r * features + j] = (float) (centre[c][j] + random.nextGaussian() + 3.0);
            }
        }
        return new Problem(new Dataset(x, rows, features, new int[rows]), cls);
    }
}
