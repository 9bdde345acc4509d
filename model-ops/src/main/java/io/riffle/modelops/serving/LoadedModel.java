package io.riffle.modelops.serving;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.riffle.modelops.decision.FeatureReasons;
import io.riffle.modelops.engine.ModelSession;
import io.riffle.modelops.engine.OrtEngine;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * A validated model ready to score, holding one reference on a shared session.
 *
 * <p><b>Not thread-safe</b>: it reuses one input buffer, so each operator instance (thread) gets
 * its own {@code LoadedModel}; the underlying session is shared through the session cache.
 * {@link #close()} releases the session reference and may be called more than once.
 */
public final class LoadedModel implements AutoCloseable {

    /** How far ONNX Runtime's float kernels may overshoot [0,1] (its vectorised Sigmoid: an ulp). */
    public static final float RANGE_SLACK = 1e-6f;

    private final ModelVersion version;
    private final ModelSession session;
    private final OrtSession ortSession;
    private final OrtEnvironment env = OrtEngine.environment();
    private final String inputName;
    private final Set<String> outputNames;
    private final int featureCount;
    // Columns of the output per row (1 for [N] and [N,1], 2 for [N,2]) and the column served.
    private final int outputWidth;
    private final int column;
    private final FeatureReasons reasons;
    private FloatBuffer input;

    /** Made by {@link io.riffle.modelops.validation.ModelLoader} once the version passed validation. */
    public LoadedModel(ModelVersion version, ModelSession session, String inputName, String outputName,
            int outputWidth, int column) {
        this.version = version;
        this.session = session;
        this.ortSession = session.session();
        this.inputName = inputName;
        this.outputNames = Set.of(outputName);
        this.featureCount = version.getFeatureCount();
        this.outputWidth = outputWidth;
        this.column = column;
        this.input = allocate(featureCount * 64);
        this.reasons = FeatureReasons.of(version);
    }

    /** Names the features of a flagged row that are furthest from this model's training data. */
    public FeatureReasons reasons() {
        return reasons;
    }

    /**
     * The version's metadata. Its {@code onnx} bytes are dropped (null) to save heap: the weights
     * live in the session, and the original record is in the models stream / broadcast state.
     */
    public ModelVersion version() {
        return version;
    }

    public String name() {
        return version.getName();
    }

    public int versionNumber() {
        return version.getVersion();
    }

    public ModelTask task() {
        return version.getTask();
    }

    public ModelRole role() {
        return version.getRole();
    }

    /** The device actually serving: {@code cpu} or {@code cuda:N}. */
    public String device() {
        return session.device();
    }

    public String sha256() {
        return session.sha256();
    }

    public int featureCount() {
        return featureCount;
    }

    /**
     * Scores {@code rows} rows of {@code features} (row-major, {@code rows * featureCount()}
     * values) with one ONNX Runtime call, writing the positive-class probability (binary) or the
     * anomaly score (anomaly) of row {@code i} to {@code out[i]}.
     *
     * @throws ModelScoringException if ONNX Runtime fails or returns an unexpected shape
     */
    public void score(float[] features, int rows, float[] out) {
        if (rows <= 0) {
            if (rows == 0) {
                return;
            }
            throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        }
        int n = rows * featureCount;
        if (features.length < n || out.length < rows) {
            throw new IllegalArgumentException("batch of " + rows + " rows needs " + n + " feature values and "
                    + rows + " outputs, got " + features.length + " and " + out.length);
        }
        if (session.isClosed()) {
            throw new IllegalStateException(label() + " is closed");
        }
        FloatBuffer in = fill(features, n);
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, in, new long[] {rows, featureCount});
                OrtSession.Result result = ortSession.run(Map.of(inputName, tensor), outputNames)) {
            FloatBuffer values = outputOf(result, rows);
            if (outputWidth == 1) {
                values.get(out, 0, rows);
            } else {
                for (int i = 0; i < rows; i++) {
                    out[i] = values.get(i * outputWidth + column);
                }
            }
            // ONNX Runtime's vectorised Sigmoid can overshoot [0,1] by an ulp (1.0000001): a
            // probability or anomaly score is reported within its range. Anything further out is
            // left alone, so a broken model stays visible.
            for (int i = 0; i < rows; i++) {
                float v = out[i];
                if (v > 1f && v <= 1f + RANGE_SLACK) {
                    out[i] = 1f;
                } else if (v < 0f && v >= -RANGE_SLACK) {
                    out[i] = 0f;
                }
            }
        } catch (OrtException e) {
            throw new ModelScoringException("ONNX Runtime failed to score a batch of " + rows + " rows with "
                    + label() + " on " + device() + ": " + e.getMessage(), e);
        }
    }

    /** Every output value (rows x width) of one run, for the validator's golden batch. */
    public float[] scoreAllColumns(float[] features, int rows) throws OrtException {
        FloatBuffer in = fill(features, rows * featureCount);
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, in, new long[] {rows, featureCount});
                OrtSession.Result result = ortSession.run(Map.of(inputName, tensor), outputNames)) {
            FloatBuffer values = outputOf(result, rows);
            float[] all = new float[values.remaining()];
            values.get(all);
            return all;
        }
    }

    /** Output values per row (the validator checks every one). */
    public int outputWidth() {
        return outputWidth;
    }

    private FloatBuffer fill(float[] features, int n) {
        if (input.capacity() < n) {
            input = allocate(Math.max(n, input.capacity() * 2));
        }
        // ONNX Runtime wraps a direct buffer without copying, from position to limit.
        input.clear();
        input.put(features, 0, n);
        input.flip();
        return input;
    }

    private FloatBuffer outputOf(OrtSession.Result result, int rows) throws OrtException {
        OnnxValue value = result.get(0);
        if (!(value instanceof OnnxTensor t)) {
            throw new ModelScoringException(label() + " returned " + value.getType() + ", expected a float tensor");
        }
        long[] shape = t.getInfo().getShape();
        long expected = (long) rows * outputWidth;
        if (shape.length == 0 || shape[0] != rows || t.getInfo().getNumElements() != expected) {
            throw new ModelScoringException(label() + " returned shape " + Arrays.toString(shape) + " for a batch of "
                    + rows + " rows, expected [" + rows + (outputWidth == 1 ? "] or [" + rows + ",1]" : "," + outputWidth + "]"));
        }
        FloatBuffer values = t.getFloatBuffer();
        if (values == null) {
            throw new ModelScoringException(label() + " returned a " + t.getInfo().type + " tensor, expected float");
        }
        return values;
    }

    private String label() {
        return "model " + version.getName() + " v" + version.getVersion();
    }

    private static FloatBuffer allocate(int floats) {
        return ByteBuffer.allocateDirect(Math.max(1, floats) * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    @Override
    public void close() {
        session.close();
    }

    @Override
    public String toString() {
        return "LoadedModel[" + name() + " v" + versionNumber() + " " + task() + " " + role() + " on " + device() + "]";
    }
}
