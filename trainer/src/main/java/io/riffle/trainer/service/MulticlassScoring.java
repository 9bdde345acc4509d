package io.riffle.trainer.service;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.engine.ModelLoadException;
import io.riffle.modelops.engine.ModelSession;
import io.riffle.modelops.engine.OrtEngine;
import io.riffle.modelops.engine.SessionCache;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * ONNX Runtime scores of a multiclass graph ({@code [batch, n]} in, {@code [batch, K]} out) through
 * the model-ops engine's shared {@link SessionCache}: how the trainer checks its candidate's parity
 * and evaluates a champion on the holdout. Rows go in batches of {@link #BATCH} through one reused
 * direct buffer. Closes its session handle (and every tensor and result) when done.
 */
public final class MulticlassScoring implements AutoCloseable {

    /** Rows per ONNX Runtime call: the batch size the engine's measurements favour. */
    public static final int BATCH = 256;

    private final ModelSession session;
    private final String input;
    private final int features;
    private final int classes;
    private final FloatBuffer buffer;

    /**
     * Opens (or shares) the session of {@code onnx} for vectors of {@code features} values and
     * {@code classes} output columns.
     *
     * @throws ModelLoadException if ONNX Runtime cannot load the graph
     */
    public MulticlassScoring(byte[] onnx, String sha256, int features, int classes) throws ModelLoadException {
        this.session = SessionCache.shared().acquire(sha256, onnx, EngineOptions.defaults());
        this.input = session.inputInfo().keySet().iterator().next();
        this.features = features;
        this.classes = classes;
        this.buffer = ByteBuffer.allocateDirect(BATCH * features * Float.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
    }

    /** Scores {@code rows} rows of {@code x} (row-major) into {@code out} ({@code rows x K}). */
    public void score(float[] x, int rows, float[] out) throws OrtException {
        for (int from = 0; from < rows; from += BATCH) {
            int count = Math.min(BATCH, rows - from);
            buffer.clear();
            buffer.put(x, from * features, count * features);
            buffer.flip();
            try (OnnxTensor tensor = OnnxTensor.createTensor(OrtEngine.environment(), buffer,
                    new long[] {count, features});
                 OrtSession.Result result = session.session().run(Map.of(input, tensor))) {
                OnnxTensor scores = (OnnxTensor) result.get(0);
                long[] shape = scores.getInfo().getShape();
                if (shape.length != 2 || shape[0] != count || shape[1] != classes) {
                    throw new IllegalStateException("the graph gave shape " + java.util.Arrays.toString(shape)
                            + " for " + count + " rows; expected [" + count + ", " + classes + "]");
                }
                scores.getFloatBuffer().get(out, from * classes, count * classes);
            }
        }
    }

    @Override
    public void close() {
        session.close();
    }
}
