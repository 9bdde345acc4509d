package io.riffle.trainer.model;

import static io.riffle.modelops.onnx.OnnxGraphBuilder.BATCH;

import io.riffle.modelops.onnx.OnnxGraphBuilder;
import io.riffle.modelops.onnx.OnnxGraphs;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.trainer.data.Dataset;
import java.util.Locale;
import java.util.Map;

/**
 * "Most popular in the last window": each class's share of the training window's examples, the
 * baseline every learned multiclass model is compared with. With segment columns (the one-hot
 * columns of a categorical feature, e.g. {@code country_DE, country_FR, country_other}) the shares
 * are counted per segment: a row scores its segment's shares, and a row in no segment (all its
 * segment columns 0), or in a segment the window never saw, the window's global shares.
 *
 * <p>The graph computes {@code probs = seg @ table[S,K] + (1 - sum(seg)) * global} with
 * {@code seg} a {@code Gather} of the segment columns (MatMul, ReduceSum, Sub, Mul, Add), or
 * expands the global row to {@code [batch, K]} without segments (Shape, Concat, Expand): standard
 * operators only. {@link #predict} computes the same in float, exactly for one-hot rows.
 */
public final class PopularityModel implements MulticlassModel {

    private final int features;
    private final int classes;
    private final int[] segmentColumns;
    /** Row-major {@code segments x classes}. */
    private final float[] table;
    private final float[] global;
    private final String summary;

    private PopularityModel(int features, int classes, int[] segmentColumns, float[] table, float[] global,
                            String summary) {
        this.features = features;
        this.classes = classes;
        this.segmentColumns = segmentColumns;
        this.table = table;
        this.global = global;
        this.summary = summary;
    }

    /**
     * Counts {@code data}'s rows by class ({@code rowClasses}, each in {@code [0, classes)}; rows of
     * class -1, outside the vocabulary, are not counted) and by the segment whose column
     * ({@code segmentColumns}, column indices of {@code data}) is set.
     */
    public static PopularityModel fit(Dataset data, int[] rowClasses, int classes, int[] segmentColumns) {
        if (classes < 1) {
            throw new IllegalArgumentException("popularity needs at least one class, got " + classes);
        }
        if (rowClasses.length != data.rows()) {
            throw new IllegalArgumentException(data.rows() + " rows need " + data.rows() + " classes, got "
                    + rowClasses.length);
        }
        int d = data.features();
        for (int c : segmentColumns) {
            if (c < 0 || c >= d) {
                throw new IllegalArgumentException("segment column " + c + " is outside the " + d + " features");
            }
        }
        int s = segmentColumns.length;
        double[] globalCount = new double[classes];
        double[] segmentCount = new double[s * classes];
        double[] segmentTotal = new double[s];
        double total = 0;
        float[] x = data.x();
        for (int r = 0; r < data.rows(); r++) {
            int c = rowClasses[r];
            if (c < 0 || c >= classes) {
                continue;
            }
            globalCount[c]++;
            total++;
            for (int k = 0; k < s; k++) {
                if (x[r * d + segmentColumns[k]] > 0.5f) {
                    segmentCount[k * classes + c]++;
                    segmentTotal[k]++;
                    break;      // one-hot: the first set column is the row's segment
                }
            }
        }
        float[] global = new float[classes];
        for (int j = 0; j < classes; j++) {
            global[j] = total == 0 ? 1f / classes : (float) (globalCount[j] / total);
        }
        float[] table = new float[s * classes];
        int seen = 0;
        for (int k = 0; k < s; k++) {
            if (segmentTotal[k] == 0) {
                System.arraycopy(global, 0, table, k * classes, classes);
                continue;
            }
            seen++;
            for (int j = 0; j < classes; j++) {
                table[k * classes + j] = (float) (segmentCount[k * classes + j] / segmentTotal[k]);
            }
        }
        String summary = String.format(Locale.ROOT, "popularity over %d classes from %d examples%s", classes,
                (long) total, s == 0 ? "" : String.format(Locale.ROOT, ", %d of %d segments seen", seen, s));
        return new PopularityModel(d, classes, segmentColumns.clone(), table, global, summary);
    }

    @Override
    public ModelKind kind() {
        return ModelKind.POPULARITY;
    }

    @Override
    public int features() {
        return features;
    }

    @Override
    public int classes() {
        return classes;
    }

    @Override
    public float[] predict(Dataset data) {
        DenseClassifier.requireFeatures(data, features);
        int rows = data.rows();
        float[] x = data.x();
        float[] out = new float[rows * classes];
        int s = segmentColumns.length;
        for (int r = 0; r < rows; r++) {
            int o = r * classes;
            float sum = 0f;
            for (int k = 0; k < s; k++) {
                sum += x[r * features + segmentColumns[k]];
            }
            float rest = 1f - sum;
            for (int j = 0; j < classes; j++) {
                float v = 0f;
                for (int k = 0; k < s; k++) {
                    v += x[r * features + segmentColumns[k]] * table[k * classes + j];
                }
                out[o + j] = s == 0 ? global[j] : v + rest * global[j];
            }
        }
        return out;
    }

    @Override
    public byte[] toOnnx() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("riffle_popularity");
        String x = g.input(OnnxGraphs.INPUT, BATCH, features);
        String probs;
        if (segmentColumns.length == 0) {
            String rows = g.op("Shape", Map.of("start", 0L, "end", 1L), x);
            String shape = g.op("Concat", Map.of("axis", 0L), rows, g.longs("classes", new long[] {classes}, 1));
            probs = g.op("Expand", g.floats("global", global, 1, classes), shape);
        } else {
            long[] columns = new long[segmentColumns.length];
            for (int k = 0; k < columns.length; k++) {
                columns[k] = segmentColumns[k];
            }
            String seg = g.op("Gather", Map.of("axis", 1L), x, g.longs("segment_columns", columns, columns.length));
            String bySegment = g.op("MatMul", seg, g.floats("table", table, segmentColumns.length, classes));
            String inSegment = g.op("ReduceSum", Map.of("keepdims", 1L), seg, g.longs("axes", new long[] {1}, 1));
            String rest = g.op("Sub", g.scalar("one", 1f), inSegment);
            probs = g.op("Add", bySegment, g.op("Mul", rest, g.floats("global", global, 1, classes)));
        }
        g.output(probs, OnnxGraphs.OUTPUT, BATCH, classes);
        return g.build();
    }

    @Override
    public boolean converged() {
        return true;
    }

    @Override
    public String summary() {
        return summary;
    }
}
