package io.riffle.modelops.registry;

import io.riffle.modelops.validation.Digests;
import io.riffle.schemas.FeatureStats;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.serde.AvroClassAllowList;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Builds {@link ModelVersion} records. */
public final class ModelVersions {

    static {
        // ModelVersion.newBuilder(mv) deep-copies enum fields, which Avro 1.12 refuses for
        // classes outside its allow-list; anyone refining a version built here needs it.
        AvroClassAllowList.allowRiffleRecords();
    }

    private ModelVersions() {}

    /**
     * A CHAMPION version carrying {@code onnx} inline, its sha256, and {@code createdAt} = now;
     * the other fields keep their schema defaults. Refine with {@code ModelVersion.newBuilder(mv)}.
     */
    public static ModelVersion fromOnnx(byte[] onnx, String name, int version, ModelTask task, int featureCount) {
        return ModelVersion.newBuilder()
                .setName(name)
                .setVersion(version)
                .setTask(task)
                .setRole(ModelRole.CHAMPION)
                .setOnnx(ByteBuffer.wrap(onnx.clone()))
                .setSha256(Digests.sha256Hex(onnx))
                .setFeatureCount(featureCount)
                .setCreatedAt(System.currentTimeMillis())
                .build();
    }

    /**
     * {@code mv} with the per-feature mean and standard deviation of the rows it was trained on
     * ({@link FeatureStats}), from which reason codes name the features of a flagged record that
     * are furthest from the training data. Both arrays must have {@code featureCount} entries.
     */
    public static ModelVersion withFeatureStats(ModelVersion mv, float[] mean, float[] std) {
        if (mean.length != mv.getFeatureCount() || std.length != mv.getFeatureCount()) {
            throw new IllegalArgumentException("feature stats need " + mv.getFeatureCount() + " means and stds, got "
                    + mean.length + " and " + std.length);
        }
        return ModelVersion.newBuilder(mv).setFeatureStats(new FeatureStats(boxed(mean), boxed(std))).build();
    }

    /** {@link #withFeatureStats} with the per-feature mean and (population) standard deviation of {@code rows}. */
    public static ModelVersion withFeatureStatsOf(ModelVersion mv, float[][] rows) {
        int d = mv.getFeatureCount();
        float[] flat = new float[rows.length * d];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * d, d);
        }
        return withFeatureStatsOf(mv, flat, rows.length);
    }

    /** As {@link #withFeatureStatsOf(ModelVersion, float[][])} for {@code rows} rows stored row after row in {@code x}. */
    public static ModelVersion withFeatureStatsOf(ModelVersion mv, float[] x, int rows) {
        int d = mv.getFeatureCount();
        double[] sum = new double[d];
        double[] sumSq = new double[d];
        for (int r = 0; r < rows; r++) {
            for (int i = 0, at = r * d; i < d; i++, at++) {
                sum[i] += x[at];
                sumSq[i] += (double) x[at] * x[at];
            }
        }
        float[] mean = new float[d];
        float[] std = new float[d];
        int n = Math.max(1, rows);
        for (int i = 0; i < d; i++) {
            double m = sum[i] / n;
            mean[i] = (float) m;
            std[i] = (float) Math.sqrt(Math.max(0, sumSq[i] / n - m * m));
        }
        return withFeatureStats(mv, mean, std);
    }

    private static List<Float> boxed(float[] values) {
        List<Float> out = new ArrayList<>(values.length);
        for (float v : values) {
            out.add(v);
        }
        return out;
    }

    /** SHA-256 hex of {@code bytes}; same as {@link Digests#sha256Hex}. */
    public static String sha256Hex(byte[] bytes) {
        return Digests.sha256Hex(bytes);
    }

    /** The ONNX bytes carried inline, or null. */
    public static byte[] onnxBytes(ModelVersion mv) {
        ByteBuffer b = mv.getOnnx();
        if (b == null) {
            return null;
        }
        ByteBuffer d = b.duplicate();
        byte[] bytes = new byte[d.remaining()];
        d.get(bytes);
        return bytes;
    }

    /** {@code name vN}, as used in messages and logs. */
    public static String label(ModelVersion mv) {
        return mv.getName() + " v" + mv.getVersion();
    }
}
