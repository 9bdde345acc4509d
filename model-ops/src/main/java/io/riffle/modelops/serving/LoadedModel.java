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
    /** {@code ModelVersion.outputKind} of a multiclass model whose rows are probabilities (the default). */
    public static final String PROBABILITIES = "probabilities";
    /** {@code ModelVersion.outputKind} of a multiclass model whose rows are logits: the scorer applies softmax. */
    public static final String LOGITS = "logits";

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
    // MULTICLASS: the label of each output column, and whether rows are logits (softmax applied here).
    private final String[] classLabels;
    private final boolean logits;
    private FloatBuffer input;
    private float[] classScratch = new float[0];

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
        boolean multiclass = version.getTask() == ModelTask.MULTICLASS;
        this.classLabels = multiclass ? version.getClassLabels().toArray(new String[0]) : null;
        this.logits = multiclass && LOGITS.equals(version.getOutputKind());
    }

    /** Whether this model ranks classes ({@code [N,K]} output) rather than giving one value per row. */
    public boolean isMulticlass() {
        return classLabels != null;
    }

    /** K, the number of classes of a multiclass model (0 otherwise). */
    public int classCount() {
        return classLabels == null ? 0 : classLabels.length;
    }

    /** The label of output column {@code k} of a multiclass model. */
    public String classLabel(int k) {
        return classLabels[k];
    }

    /**
     * Scores {@code rows} rows with one ONNX Runtime call and writes each row's K class
     * probabilities to {@code out[i * K, (i + 1) * K)} (softmax applied when the model outputs
     * logits). Multiclass models only.
     *
     * @throws ModelScoringException if ONNX Runtime fails or returns an unexpected shape
     */
    public void probabilities(float[] features, int rows, float[] out) {
        if (!isMulticlass()) {
            throw new IllegalStateException(label() + " is " + task() + ", not MULTICLASS");
        }
        int width = classLabels.length;
        checkBatch(features, rows, out, rows * width);
        if (rows == 0) {
            return;
        }
        FloatBuffer in = fill(features, rows * featureCount);
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, in, new long[] {rows, featureCount});
                OrtSession.Result result = ortSession.run(Map.of(inputName, tensor), outputNames)) {
            outputOf(result, rows).get(out, 0, rows * width);
        } catch (OrtException e) {
            throw new ModelScoringException("ONNX Runtime failed to score a batch of " + rows + " rows with "
                    + label() + " on " + device() + ": " + e.getMessage(), e);
        }
        if (logits) {
            for (int i = 0; i < rows; i++) {
                softmax(out, i * width, width);
            }
        }
    }

    /**
     * Softmax of {@code v[offset, offset + width)} in place, shifted by the row's maximum so no
     * exponent overflows; a row holding a non-finite logit becomes all NaN (a failed row, never a
     * confident one).
     */
    static void softmax(float[] v, int offset, int width) {
        float max = Float.NEGATIVE_INFINITY;
        boolean finite = true;
        for (int k = offset; k < offset + width; k++) {
            finite &= Float.isFinite(v[k]);
            max = Math.max(max, v[k]);
        }
        if (!finite) {
            Arrays.fill(v, offset, offset + width, Float.NaN);
            return;
        }
        double sum = 0;
        for (int k = offset; k < offset + width; k++) {
            float e = (float) Math.exp(v[k] - max);
            v[k] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int k = offset; k < offset + width; k++) {
            v[k] *= inv;
        }
    }

    /**
     * The {@code k} best columns of the row at {@code probs[offset, offset + width)}, best first
     * (ties: the lower column first), written to {@code best}; returns how many were written
     * (fewer than k when the row is narrower). A NaN never ranks above a number.
     */
    public static int topK(float[] probs, int offset, int width, int k, int[] best) {
        int n = Math.min(k, width);
        int filled = 0;
        for (int c = 0; c < width; c++) {
            float v = probs[offset + c];
            if (filled == n && !ranksAbove(v, probs[offset + best[n - 1]])) {
                continue;
            }
            // Insertion into the short sorted list: k is small (10) next to K (1,000s).
            int pos = filled < n ? filled++ : n - 1;
            while (pos > 0 && ranksAbove(v, probs[offset + best[pos - 1]])) {
                best[pos] = best[pos - 1];
                pos--;
            }
            best[pos] = c;
        }
        return filled;
    }

    /** Strictly better: a number beats NaN; equal values keep the earlier column in front. */
    private static boolean ranksAbove(float v, float than) {
        return Float.isNaN(than) ? !Float.isNaN(v) : v > than;
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
        if (isMulticlass()) {
            scoreTopClass(features, rows, out);
            return;
        }
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

    /** A multiclass model's single value per row: the probability of its best class. */
    private void scoreTopClass(float[] features, int rows, float[] out) {
        int width = classLabels.length;
        if (classScratch.length < rows * width) {
            classScratch = new float[rows * width];
        }
        if (out.length < rows) {
            throw new IllegalArgumentException("batch of " + rows + " rows needs " + rows + " outputs, got " + out.length);
        }
        probabilities(features, rows, classScratch);
        int[] best = new int[1];
        for (int i = 0; i < rows; i++) {
            out[i] = topK(classScratch, i * width, width, 1, best) == 1 ? classScratch[i * width + best[0]] : Float.NaN;
        }
    }

    private void checkBatch(float[] features, int rows, float[] out, int outputs) {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        }
        int n = rows * featureCount;
        if (features.length < n || out.length < outputs) {
            throw new IllegalArgumentException("batch of " + rows + " rows needs " + n + " feature values and "
                    + outputs + " outputs, got " + features.length + " and " + out.length);
        }
        if (session.isClosed()) {
            throw new IllegalStateException(label() + " is closed");
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
