package io.riffle.modelops.serving;

import io.riffle.modelops.decision.FeatureReasons;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.modelops.validation.ModelRejectedException;
import io.riffle.schemas.ClassScore;
import io.riffle.schemas.ModelVersion;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The model versions one scorer serves, one per model name, and their scoring of a batch. A new
 * version is {@linkplain #load validated} first and {@linkplain #install installed} only between
 * batches; the version it replaces is closed. Slots are ordered by model name, which fixes each
 * model's place in a score. Not thread-safe: one per operator instance.
 */
public final class ServingModels implements AutoCloseable {

    /** Classes per multiclass score when the pipeline does not say. */
    public static final int DEFAULT_TOP_K = 10;

    /** A serving model failed on a whole batch (ONNX Runtime error or an unexpected output shape). */
    public static final class BatchFailure extends RuntimeException {
        private final transient LoadedModel model;

        BatchFailure(LoadedModel model, RuntimeException cause) {
            super(cause.getMessage(), cause);
            this.model = model;
        }

        public LoadedModel model() {
            return model;
        }
    }

    private final ModelLoader loader;
    private final int featureCount;
    private final String specHash;
    private final List<String> required;
    private final int batchSize;
    private final TreeMap<String, LoadedModel> byName = new TreeMap<>();
    private LoadedModel[] slots = new LoadedModel[0];
    private ModelVersion[] versions = new ModelVersion[0];
    private FeatureReasons[] explainers = new FeatureReasons[0];
    private float[][] outputs = new float[0][];
    // Per slot: a multiclass model's class probabilities of the last batch (rows x K), else null.
    private float[][] classProbabilities = new float[0][];
    private int[] topK = new int[0];
    private final Map<String, Integer> topKByName;
    private int[] best = new int[0];
    // Per slot: nanoseconds its last ONNX Runtime call took (the inference-time metric).
    private long[] scoreNanos = new long[0];
    private boolean ready;

    /**
     * @param required model names that must all serve before {@link #ready()} (empty: any one)
     * @param specHash the feature spec hash versions must carry (null: not checked)
     */
    public ServingModels(ModelLoader loader, int featureCount, String specHash, List<String> required, int batchSize) {
        this(loader, featureCount, specHash, required, batchSize, Map.of());
    }

    /**
     * @param topKByName classes a multiclass model's scores carry, by model name (absent:
     *     {@link #DEFAULT_TOP_K}); capped at the model's K
     */
    public ServingModels(ModelLoader loader, int featureCount, String specHash, List<String> required, int batchSize,
                         Map<String, Integer> topKByName) {
        this.topKByName = Map.copyOf(topKByName);
        this.loader = loader;
        this.featureCount = featureCount;
        this.specHash = specHash;
        this.required = List.copyOf(required);
        this.batchSize = batchSize;
    }

    /** Whether {@code mv} is newer than the version serving under its name (or none serves). */
    public boolean isNewer(ModelVersion mv) {
        LoadedModel current = byName.get(mv.getName());
        return current == null || mv.getVersion() > current.versionNumber();
    }

    /** The serving model of that name, or null. */
    public LoadedModel get(String name) {
        return byName.get(name);
    }

    /** Validates {@code mv} for this scorer (its width and spec hash) without serving it yet. */
    public LoadedModel load(ModelVersion mv) throws ModelRejectedException {
        return loader.load(mv, featureCount, specHash);
    }

    /** Serves {@code next} from the next batch on, closing the version it replaces. */
    public void install(LoadedModel next) {
        LoadedModel previous = byName.put(next.name(), next);
        if (previous != null && previous != next) {
            previous.close();
        }
        slots = byName.values().toArray(new LoadedModel[0]);
        versions = new ModelVersion[slots.length];
        explainers = new FeatureReasons[slots.length];
        for (int m = 0; m < slots.length; m++) {
            versions[m] = slots[m].version();
            explainers[m] = slots[m].reasons();
        }
        outputs = new float[slots.length][batchSize];
        scoreNanos = new long[slots.length];
        classProbabilities = new float[slots.length][];
        topK = new int[slots.length];
        int widest = 0;
        for (int m = 0; m < slots.length; m++) {
            if (slots[m].isMulticlass()) {
                classProbabilities[m] = new float[batchSize * slots[m].classCount()];
                topK[m] = Math.min(slots[m].classCount(), topKByName.getOrDefault(slots[m].name(), DEFAULT_TOP_K));
                widest = Math.max(widest, topK[m]);
            }
        }
        best = new int[Math.max(1, widest)];
        ready = !byName.isEmpty() && byName.keySet().containsAll(required);
    }

    /** Whether every required model serves, so records are scored rather than held. */
    public boolean ready() {
        return ready;
    }

    public LoadedModel[] slots() {
        return slots;
    }

    public ModelVersion[] versions() {
        return versions;
    }

    public FeatureReasons[] explainers() {
        return explainers;
    }

    /** The last batch's outputs: {@code outputs()[m][row]} for the model in slot {@code m}. */
    public float[][] outputs() {
        return outputs;
    }

    /** The device of the first serving model ("none" when none serves), for a gauge. */
    public String device() {
        return slots.length == 0 ? "none" : slots[0].device();
    }

    /**
     * Scores the batch with every serving model, one ONNX Runtime call each, into {@link #outputs()}.
     *
     * @throws BatchFailure naming the model that failed
     */
    public void score(ScoreBatch batch) {
        for (int m = 0; m < slots.length; m++) {
            try {
                long start = System.nanoTime();
                if (classProbabilities[m] != null) {
                    scoreClasses(m, batch);
                } else {
                    slots[m].score(batch.values(), batch.size(), outputs[m]);
                }
                scoreNanos[m] = System.nanoTime() - start;
            } catch (RuntimeException e) {
                throw new BatchFailure(slots[m], e);
            }
        }
    }

    /** A multiclass slot: class probabilities of every row, and the best class's as its output value. */
    private void scoreClasses(int m, ScoreBatch batch) {
        LoadedModel model = slots[m];
        int width = model.classCount();
        float[] probs = classProbabilities[m];
        model.probabilities(batch.values(), batch.size(), probs);
        for (int i = 0, rows = batch.size(); i < rows; i++) {
            outputs[m][i] = LoadedModel.topK(probs, i * width, width, 1, best) == 1 ? probs[i * width + best[0]]
                    : Float.NaN;
        }
    }

    /** Nanoseconds the last {@link #score} spent in slot {@code m}'s model (its ONNX Runtime call). */
    public long scoreNanos(int m) {
        return scoreNanos[m];
    }

    /** Whether any serving model ranks classes (its scores then carry a top-k). */
    public boolean anyMulticlass() {
        for (float[] p : classProbabilities) {
            if (p != null) {
                return true;
            }
        }
        return false;
    }

    /** Whether the model in slot {@code m} ranks classes. */
    public boolean isMulticlass(int m) {
        return classProbabilities[m] != null;
    }

    /**
     * The top-k classes (k from the pipeline, at most K) of row {@code row} of the last batch for
     * the multiclass model in slot {@code m}, best first; null for other models.
     */
    public List<ClassScore> topK(int m, int row) {
        float[] probs = classProbabilities[m];
        if (probs == null) {
            return null;
        }
        LoadedModel model = slots[m];
        int width = model.classCount();
        int n = LoadedModel.topK(probs, row * width, width, topK[m], best);
        List<ClassScore> out = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            out.add(new ClassScore(model.classLabel(best[j]), probs[row * width + best[j]]));
        }
        return out;
    }

    /** The required models not serving yet, as " (waiting for a, b)", or "" when none is missing. */
    public String missing() {
        List<String> missing = new ArrayList<>();
        for (String name : required) {
            if (!byName.containsKey(name)) {
                missing.add(name);
            }
        }
        return missing.isEmpty() ? "" : " (waiting for " + String.join(", ", missing) + ")";
    }

    @Override
    public void close() {
        for (LoadedModel m : byName.values()) {
            m.close();
        }
        byName.clear();
        slots = new LoadedModel[0];
        classProbabilities = new float[0][];
        ready = false;
    }
}
