package io.riffle.trainer.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * Labeled examples: {@code x} is row-major {@code rows x features}, {@code labels} are 0 or 1.
 * NaN in {@code x} marks a missing value (only the GBDT kind accepts it).
 *
 * <p>The arrays are held, not copied, so that a 1M-row window is not duplicated; callers must
 * not change them afterwards. {@link #slice} and {@link #withLabel} copy.
 */
public final class Dataset {

    private final float[] x;
    private final int rows;
    private final int features;
    private final int[] labels;
    private final long positives;

    public Dataset(float[] x, int rows, int features, int[] labels) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(labels, "labels");
        if (rows < 0 || features <= 0) {
            throw new IllegalArgumentException("need rows >= 0 and features > 0, got rows " + rows
                    + " and features " + features);
        }
        if ((long) rows * features != x.length) {
            throw new IllegalArgumentException(rows + " rows x " + features + " features need "
                    + (long) rows * features + " values, got " + x.length);
        }
        if (labels.length != rows) {
            throw new IllegalArgumentException(rows + " rows need " + rows + " labels, got " + labels.length);
        }
        long p = 0;
        for (int r = 0; r < rows; r++) {
            int label = labels[r];
            if (label != 0 && label != 1) {
                throw new IllegalArgumentException("label of row " + r + " is " + label + "; labels must be 0 or 1");
            }
            p += label;
        }
        this.x = x;
        this.rows = rows;
        this.features = features;
        this.labels = labels;
        this.positives = p;
    }

    public int rows() {
        return rows;
    }

    public int features() {
        return features;
    }

    /** The row-major values (not a copy). */
    public float[] x() {
        return x;
    }

    /** The labels (not a copy). */
    public int[] labels() {
        return labels;
    }

    public float get(int row, int col) {
        Objects.checkIndex(row, rows);
        Objects.checkIndex(col, features);
        return x[row * features + col];
    }

    /** Rows {@code [fromInclusive, toExclusive)}, copied. */
    public Dataset slice(int fromInclusive, int toExclusive) {
        Objects.checkFromToIndex(fromInclusive, toExclusive, rows);
        return new Dataset(
                Arrays.copyOfRange(x, fromInclusive * features, toExclusive * features),
                toExclusive - fromInclusive,
                features,
                Arrays.copyOfRange(labels, fromInclusive, toExclusive));
    }

    /** The rows of {@code first} followed by those of {@code second}, copied. */
    public static Dataset concat(Dataset first, Dataset second) {
        if (first.features != second.features) {
            throw new IllegalArgumentException("cannot join sets of " + first.features + " and " + second.features
                    + " features");
        }
        float[] x = Arrays.copyOf(first.x, first.x.length + second.x.length);
        System.arraycopy(second.x, 0, x, first.x.length, second.x.length);
        int[] labels = Arrays.copyOf(first.labels, first.rows + second.rows);
        System.arraycopy(second.labels, 0, labels, first.rows, second.rows);
        return new Dataset(x, first.rows + second.rows, first.features, labels);
    }

    /** Only the rows with {@code label}, in their original order, copied. */
    public Dataset withLabel(int label) {
        int count = (int) (label == 1 ? positives : label == 0 ? rows - positives : 0);
        float[] keptX = new float[count * features];
        int[] keptLabels = new int[count];
        int k = 0;
        for (int r = 0; r < rows; r++) {
            if (labels[r] == label) {
                System.arraycopy(x, r * features, keptX, k * features, features);
                keptLabels[k++] = label;
            }
        }
        return new Dataset(keptX, count, features, keptLabels);
    }

    public long positives() {
        return positives;
    }

    /** Share of rows labeled 1; 0 for an empty set. */
    public double positiveRate() {
        return rows == 0 ? 0.0 : (double) positives / rows;
    }

    @Override
    public String toString() {
        return "Dataset[" + rows + " x " + features + ", " + positives + " positives]";
    }
}
