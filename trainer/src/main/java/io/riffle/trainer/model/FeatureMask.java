package io.riffle.trainer.model;

import static io.riffle.modelops.onnx.OnnxGraphBuilder.BATCH;

import io.riffle.modelops.onnx.OnnxGraphBuilder;
import io.riffle.modelops.onnx.OnnxGraphs;
import io.riffle.trainer.data.Dataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which columns of the feature vector a model reads. A model trained with a column ignored still
 * takes the full vector (the scorer feeds every feature), but that column has no influence on
 * its output, whatever value it holds at serving time, NaN and infinities included:
 * <ul>
 *   <li>the dense kinds (logistic, MLP, autoencoder) are fitted on the used columns only, and
 *       their graph starts with a {@code Gather} of those columns, so an ignored value is never
 *       read (a zero weight would not do: {@code 0 * Inf} and {@code 0 * NaN} are NaN);</li>
 *   <li>GBDT is fitted with the ignored columns missing (NaN) in every row, so no split can use
 *       them, and its trees never name them.</li>
 * </ul>
 * Immutable.
 */
public final class FeatureMask {

    private final int features;
    /** Ascending indices of the columns the model reads. */
    private final int[] used;

    private FeatureMask(int features, int[] used) {
        this.features = features;
        this.used = used;
    }

    /** Every one of {@code features} columns is used. */
    public static FeatureMask all(int features) {
        if (features <= 0) {
            throw new IllegalArgumentException("need at least one feature, got " + features);
        }
        int[] used = new int[features];
        Arrays.setAll(used, i -> i);
        return new FeatureMask(features, used);
    }

    /**
     * The columns of {@code features} columns other than {@code ignored}.
     *
     * @throws IllegalArgumentException if an index is out of range or every column is ignored
     */
    public static FeatureMask ignoringColumns(int features, Collection<Integer> ignored) {
        boolean[] skip = new boolean[features];
        for (int i : ignored) {
            Objects.checkIndex(i, features);
            skip[i] = true;
        }
        int[] used = new int[features];
        int n = 0;
        for (int i = 0; i < features; i++) {
            if (!skip[i]) {
                used[n++] = i;
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("every one of the " + features + " features is ignored; "
                    + "a model needs at least one");
        }
        return new FeatureMask(features, Arrays.copyOf(used, n));
    }

    /**
     * The columns named {@code names} other than those named in {@code ignored}.
     *
     * @throws IllegalArgumentException naming an ignored name that is not in {@code names}, or if
     *                                  every feature is ignored
     */
    public static FeatureMask ignoring(List<String> names, Collection<String> ignored) {
        List<Integer> columns = new ArrayList<>();
        for (String name : ignored) {
            int at = names.indexOf(name);
            if (at < 0) {
                throw new IllegalArgumentException("ignored feature '" + name + "' is not one of the " + names.size()
                        + " features " + (names.isEmpty() ? "(no feature names were given)" : names));
            }
            columns.add(at);
        }
        return ignoringColumns(names.size(), columns);
    }

    /** Width of the vectors the model takes. */
    public int features() {
        return features;
    }

    /** How many columns the model reads. */
    public int used() {
        return used.length;
    }

    public boolean ignoresAny() {
        return used.length < features;
    }

    public boolean ignores(int column) {
        Objects.checkIndex(column, features);
        return Arrays.binarySearch(used, column) < 0;
    }

    /** The used columns of {@code data}, copied ({@code data} itself when nothing is ignored). */
    Dataset project(Dataset data) {
        requireWidth(data);
        if (!ignoresAny()) {
            return data;
        }
        int d = features;
        int u = used.length;
        float[] x = data.x();
        float[] out = new float[data.rows() * u];
        for (int r = 0; r < data.rows(); r++) {
            int src = r * d;
            int dst = r * u;
            for (int k = 0; k < u; k++) {
                out[dst + k] = x[src + used[k]];
            }
        }
        return new Dataset(out, data.rows(), u, data.labels());
    }

    /** {@code data} with every ignored column set to NaN (missing), copied ({@code data} itself when none is). */
    Dataset blank(Dataset data) {
        requireWidth(data);
        if (!ignoresAny()) {
            return data;
        }
        float[] x = data.x().clone();
        for (int r = 0; r < data.rows(); r++) {
            int o = r * features;
            int k = 0;
            for (int i = 0; i < features; i++) {
                if (k < used.length && used[k] == i) {
                    k++;
                } else {
                    x[o + i] = Float.NaN;
                }
            }
        }
        return new Dataset(x, data.rows(), features, data.labels());
    }

    /**
     * Declares the graph's input ({@code "features"} float [batch, {@link #features()}]) and
     * returns the tensor of the used columns, [batch, {@link #used()}]: the input itself, or a
     * {@code Gather} of the used columns when some are ignored.
     */
    String input(OnnxGraphBuilder g) {
        String x = g.input(OnnxGraphs.INPUT, BATCH, features);
        if (!ignoresAny()) {
            return x;
        }
        long[] indices = new long[used.length];
        for (int k = 0; k < used.length; k++) {
            indices[k] = used[k];
        }
        return g.op("Gather", Map.of("axis", 1L), x, g.longs("used_features", indices, indices.length));
    }

    private void requireWidth(Dataset data) {
        if (data.features() != features) {
            throw new IllegalArgumentException("the model takes " + features + " features, the data has "
                    + data.features());
        }
    }

    @Override
    public String toString() {
        return used.length + " of " + features + " features";
    }
}
