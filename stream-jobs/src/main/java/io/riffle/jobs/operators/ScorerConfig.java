package io.riffle.jobs.operators;

import io.riffle.modelops.decision.DecisionPolicy;
import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.modelops.validation.ModelPolicy;
import io.riffle.schemas.Decision;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link BatchingScorer} needs to know, fixed when the job is built.
 *
 * @param batchSize records per ONNX Runtime call (the batch is scored when full)
 * @param maxDelayMs processing time the first record of a batch may wait before the batch is scored
 * @param maxWaiting records held while no model is loaded; further ones become dead letters
 * @param requiredModels model names that must all be loaded before scoring starts (empty: any one)
 * @param engine ONNX Runtime device and threads
 * @param featureCount width of the feature vectors (a model of another width is rejected)
 * @param specHash feature spec hash the models must have been trained for (null: not checked)
 * @param sourceTopic topic named in dead letters the scorer writes
 * @param onModelFailure what a deciding model's non-finite output (NaN, ±Infinity) decides; ALLOW fails open
 * @param modelPolicy which versions the scorer admits: trusted keys (their bytes, not file names: a
 *     task manager need not have the files), the model names, whether a spec hash is required
 * @param maxModelBytes largest ONNX model loaded; a larger version is rejected
 * @param topK how many classes each multiclass model recommends, by model name
 * @param cuda batch size and delay while the models run on a CUDA device; null: the CPU's
 */
public record ScorerConfig(int batchSize, long maxDelayMs, int maxWaiting, List<String> requiredModels,
                           EngineOptions engine, int featureCount, String specHash, String sourceTopic,
                           Decision onModelFailure, ModelPolicy modelPolicy, long maxModelBytes,
                           Map<String, Integer> topK, BatchLimits cuda)
        implements Serializable {

    /** When a batch is scored: at {@code size} records, or when its first has waited {@code maxDelayMs}. */
    public record BatchLimits(int size, long maxDelayMs) implements Serializable {
        public BatchLimits {
            if (size < 1 || maxDelayMs < 0) {
                throw new IllegalArgumentException("batch size must be at least 1 and the delay not negative, were "
                        + size + " and " + maxDelayMs + " ms");
            }
        }
    }

    public ScorerConfig {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, was " + batchSize);
        }
        if (maxDelayMs < 0) {
            throw new IllegalArgumentException("batch max delay must not be negative, was " + maxDelayMs + " ms");
        }
        requiredModels = List.copyOf(requiredModels);
        // A TreeMap: serializable, and the same order on every task manager.
        topK = new java.util.TreeMap<>(topK);
        Objects.requireNonNull(onModelFailure, "onModelFailure");
        Objects.requireNonNull(modelPolicy, "modelPolicy");
        if (maxModelBytes <= 0) {
            throw new IllegalArgumentException("max model size must be positive, was " + maxModelBytes + " bytes");
        }
    }

    /**
     * With a failing model's output decided as {@link DecisionPolicy#DEFAULT_ON_FAILURE},
     * {@link ModelPolicy#defaults()} (no trusted keys, any name) and the loader's default size limit.
     */
    public ScorerConfig(int batchSize, long maxDelayMs, int maxWaiting, List<String> requiredModels,
                        EngineOptions engine, int featureCount, String specHash, String sourceTopic) {
        this(batchSize, maxDelayMs, maxWaiting, requiredModels, engine, featureCount, specHash, sourceTopic,
                DecisionPolicy.DEFAULT_ON_FAILURE, ModelPolicy.defaults(), ModelLoader.DEFAULT_MAX_MODEL_BYTES, Map.of(),
                null);
    }

    /** The CPU's limits: {@link #batchSize} and {@link #maxDelayMs}. */
    public BatchLimits cpu() {
        return new BatchLimits(batchSize, maxDelayMs);
    }

    /** The limits for models served on {@code device} ({@code cpu}, {@code cuda:0}, ...): CUDA's on a GPU. */
    public BatchLimits limitsOn(String device) {
        return cuda != null && device != null && device.startsWith("cuda") ? cuda : cpu();
    }

    /** Rows a batch must hold: the larger of the two limits unless the device is the CPU for sure. */
    public int batchCapacity() {
        return cuda == null || engine.device().kind() == io.riffle.modelops.engine.DeviceRequest.Kind.CPU
                ? batchSize : Math.max(batchSize, cuda.size());
    }
}
