package io.riffle.modelops.validation;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.engine.ModelLoadException;
import io.riffle.modelops.engine.ModelSession;
import io.riffle.modelops.engine.SessionCache;
import io.riffle.modelops.serving.LoadedModel;
import io.riffle.modelops.trust.ModelVerifier;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.serde.AvroClassAllowList;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Validates a {@link ModelVersion} and opens it for serving. Checks, in order: the {@link
 * ModelPolicy} (the name is one of the pipeline's models, the signature verifies with a trusted key
 * when there are trusted keys), bytes present, size limit, sha256 (which binds the signed
 * metadata to the bytes), feature spec hash (present, when the policy requires it, and equal),
 * feature count, (multiclass) class labels and output kind, thresholds finite with
 * {@code 0 <= review <= block <= 1}, ONNX Runtime loads it, input and output fit the task, and a
 * golden batch gives finite outputs in [0,1] (multiclass: rows that sum to 1, after softmax for logits). Each failure is a {@link
 * ModelRejectedException} whose message names the model and the values involved; nothing stays
 * open after a rejection. Thread-safe (holds no mutable state).
 */
public final class ModelLoader {

    public static final long DEFAULT_MAX_MODEL_BYTES = 256L * 1024 * 1024;


    private final EngineOptions options;
    private final long maxModelBytes;
    private final SessionCache cache;
    private final ModelPolicy policy;

    public ModelLoader(EngineOptions options) {
        this(options, DEFAULT_MAX_MODEL_BYTES);
    }

    public ModelLoader(EngineOptions options, long maxModelBytes) {
        this(options, maxModelBytes, SessionCache.shared());
    }

    /** With a private session cache (tests). */
    public ModelLoader(EngineOptions options, long maxModelBytes, SessionCache cache) {
        this(options, maxModelBytes, cache, ModelPolicy.defaults());
    }

    /** A scorer's loader: the shared session cache and what {@code policy} admits. */
    public ModelLoader(EngineOptions options, long maxModelBytes, ModelPolicy policy) {
        this(options, maxModelBytes, SessionCache.shared(), policy);
    }

    public ModelLoader(EngineOptions options, long maxModelBytes, SessionCache cache, ModelPolicy policy) {
        if (maxModelBytes <= 0) {
            throw new IllegalArgumentException("maxModelBytes must be > 0, got " + maxModelBytes);
        }
        // metadataOnly() copies the record through its builder, which Avro 1.12 only allows for
        // allow-listed classes.
        AvroClassAllowList.allowRiffleRecords();
        this.options = options;
        this.maxModelBytes = maxModelBytes;
        this.cache = cache;
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    public EngineOptions options() {
        return options;
    }

    public ModelPolicy policy() {
        return policy;
    }

    /**
     * @param expectedFeatureCount the width of the feature vectors the caller will score
     * @param expectedSpecHash the caller's feature spec hash; null skips the check (as does a
     *     model without one, when the policy does not require one)
     */
    public LoadedModel load(ModelVersion mv, int expectedFeatureCount, String expectedSpecHash)
            throws ModelRejectedException {
        String label = "model " + mv.getName() + " v" + mv.getVersion();
        // Who published it is settled before any of its bytes are read or parsed.
        checkName(mv, label);
        checkSignature(mv, label);
        byte[] onnx = bytesOf(mv, label);
        if (onnx.length > maxModelBytes) {
            throw tooLarge(label, onnx.length);
        }
        String actualSha = Digests.sha256Hex(onnx);
        if (mv.getSha256() == null || !actualSha.equalsIgnoreCase(mv.getSha256().trim())) {
            throw new ModelRejectedException(label + ": sha256 mismatch: the metadata says " + mv.getSha256()
                    + " but the " + onnx.length + " ONNX bytes hash to " + actualSha
                    + " (bytes corrupted or metadata from another file)");
        }
        String specHash = mv.getFeatureSpecHash();
        if (expectedSpecHash != null && specHash == null && policy.requireSpecHash()) {
            throw new ModelRejectedException(label + ": no feature spec hash, but this pipeline serves only models"
                    + " built for its features (spec " + expectedSpecHash + "); publish it with --config PIPELINE_FILE"
                    + " (or --spec-hash), or allow unstamped models with scoring.require-spec-hash: false");
        }
        if (expectedSpecHash != null && specHash != null && !expectedSpecHash.equalsIgnoreCase(specHash)) {
            throw new ModelRejectedException(label + ": feature spec hash mismatch: the model was built for spec "
                    + specHash + " but this pipeline computes features with spec " + expectedSpecHash);
        }
        if (mv.getFeatureCount() != expectedFeatureCount) {
            throw new ModelRejectedException(label + ": feature count mismatch: the model declares "
                    + mv.getFeatureCount() + " features but the pipeline provides " + expectedFeatureCount);
        }
        if (mv.getFeatureStats() != null && (mv.getFeatureStats().getMean().size() != expectedFeatureCount
                || mv.getFeatureStats().getStd().size() != expectedFeatureCount)) {
            throw new ModelRejectedException(label + ": featureStats has " + mv.getFeatureStats().getMean().size()
                    + " means and " + mv.getFeatureStats().getStd().size() + " stds for " + expectedFeatureCount
                    + " features");
        }
        if (mv.getTask() == ModelTask.MULTICLASS) {
            checkClasses(mv, label);
        }
        checkThresholds(mv, label);

        ModelSession session;
        try {
            session = cache.acquire(actualSha, onnx, options);
        } catch (ModelLoadException e) {
            throw new ModelRejectedException(label + ": ONNX Runtime could not load it on " + options.device() + ": "
                    + e.getMessage(), e);
        }
        LoadedModel model = null;
        try {
            String inputName = checkInput(mv, label, session);
            String outputName = outputName(mv, label, session);
            int[] layout = checkOutput(mv, label, session.outputInfo().get(outputName));
            model = new LoadedModel(metadataOnly(mv), session, inputName, outputName, layout[0], layout[1]);
            GoldenBatch.check(label, model, mv.getTask());
            return model;
        } catch (ModelRejectedException | RuntimeException e) {
            // The session reference must not outlive a rejected model.
            session.close();
            throw e;
        }
    }

    /**
     * A multiclass version names the class of every output column (K labels, distinct, not blank:
     * a recommendation is read by its label) and says whether its rows are probabilities or logits.
     */
    private static void checkClasses(ModelVersion mv, String label) throws ModelRejectedException {
        List<String> labels = mv.getClassLabels();
        if (labels == null || labels.size() < 2) {
            throw new ModelRejectedException(label + ": a multiclass model needs the label of each output column"
                    + " (classLabels has " + (labels == null ? 0 : labels.size()) + ", at least 2 are needed);"
                    + " publish it with --labels FILE|a,b,c");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int k = 0; k < labels.size(); k++) {
            String c = labels.get(k);
            if (c == null || c.isBlank()) {
                throw new ModelRejectedException(label + ": class label " + k + " is blank; every output column"
                        + " needs a label");
            }
            Integer first = seen.putIfAbsent(c, k);
            if (first != null) {
                throw new ModelRejectedException(label + ": class label '" + c + "' names both column " + first
                        + " and column " + k + "; labels must be distinct");
            }
        }
        String kind = mv.getOutputKind();
        if (kind != null && !LoadedModel.PROBABILITIES.equals(kind) && !LoadedModel.LOGITS.equals(kind)) {
            throw new ModelRejectedException(label + ": outputKind '" + kind + "' is not one of "
                    + LoadedModel.PROBABILITIES + ", " + LoadedModel.LOGITS);
        }
    }

    private void checkName(ModelVersion mv, String label) throws ModelRejectedException {
        if (!policy.allowsName(mv)) {
            throw new ModelRejectedException(label + ": model '" + mv.getName() + "' is not one of this pipeline's"
                    + " models (" + String.join(", ", policy.allowedNames()) + ")"
                    + (mv.getRole() == ModelRole.CHAMPION ? ""
                            : "; a non-deciding shadow of one is named NAME" + ModelPolicy.SHADOW_SUFFIX));
        }
    }

    private void checkSignature(ModelVersion mv, String label) throws ModelRejectedException {
        ModelVerifier verifier = policy.verifier();
        if (verifier.isEmpty()) {
            return;
        }
        switch (verifier.verify(mv)) {
            case VERIFIED -> { }
            case UNSIGNED -> throw new ModelRejectedException(label + ": unsigned, and this scorer trusts only signed"
                    + " versions; publish it with 'riffle models publish --signing-key FILE'");
            case INVALID -> throw new ModelRejectedException(label + ": signature does not verify with any trusted key ("
                    + String.join(", ", verifier.sources()) + "): signed with another key, or a signed field (name,"
                    + " version, task, role, thresholds, sha256, spec hash, inputs) changed after signing");
        }
    }

    /**
     * Outputs are in [0,1], so thresholds outside it would review or block everything or nothing,
     * and a NaN threshold compares false with every output: that version would ALLOW every record.
     */
    private static void checkThresholds(ModelVersion mv, String label) throws ModelRejectedException {
        double review = mv.getReviewThreshold();
        double block = mv.getBlockThreshold();
        // Written so that NaN fails too: every comparison with NaN is false.
        if (0 <= review && review <= block && block <= 1) {
            return;
        }
        String why = !Double.isFinite(review) || !Double.isFinite(block) ? "not finite"
                : review < 0 || block > 1 || review > 1 || block < 0 ? "outside [0,1]" : "review is above block";
        throw new ModelRejectedException(label + ": thresholds review " + review + " and block " + block
                + " are invalid (" + why + "); they must be finite with 0 <= review <= block <= 1");
    }

    private byte[] bytesOf(ModelVersion mv, String label) throws ModelRejectedException {
        ByteBuffer inline = mv.getOnnx();
        if (inline != null) {
            ByteBuffer b = inline.duplicate();
            if (b.remaining() > maxModelBytes) {
                throw tooLarge(label, b.remaining());
            }
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            if (bytes.length == 0) {
                throw new ModelRejectedException(label + ": the onnx field is empty (0 bytes)");
            }
            return bytes;
        }
        String uri = mv.getUri();
        if (uri == null || uri.isBlank()) {
            throw new ModelRejectedException(label + ": no model bytes: both onnx and uri are empty");
        }
        URI parsed;
        try {
            parsed = new URI(uri.trim());
        } catch (URISyntaxException e) {
            throw new ModelRejectedException(label + ": uri '" + uri + "' is not a valid URI: " + e.getMessage());
        }
        if (!"file".equalsIgnoreCase(parsed.getScheme())) {
            throw new ModelRejectedException(label + ": uri '" + uri + "' is not supported: only file: URIs are read;"
                    + " publish the bytes inline (onnx field) or copy the model to a path every scorer can read");
        }
        Path path;
        try {
            path = Path.of(parsed);
        } catch (IllegalArgumentException e) {
            throw new ModelRejectedException(label + ": uri '" + uri + "' is not a usable file path: " + e.getMessage());
        }
        try {
            long size = Files.size(path);
            if (size > maxModelBytes) {
                throw tooLarge(label, size);
            }
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new ModelRejectedException(label + ": model file " + path + " (from uri '" + uri + "') does not exist");
        } catch (IOException e) {
            throw new ModelRejectedException(label + ": cannot read model file " + path + ": " + e, e);
        }
    }

    private ModelRejectedException tooLarge(String label, long size) {
        return new ModelRejectedException(label + ": the model is " + size + " bytes (" + mib(size)
                + "), above the size limit of " + maxModelBytes + " bytes (" + mib(maxModelBytes) + ")");
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    private static String checkInput(ModelVersion mv, String label, ModelSession session) throws ModelRejectedException {
        Map<String, NodeInfo> inputs = session.inputInfo();
        String name = mv.getInputName();
        if (name == null) {
            if (inputs.size() != 1) {
                throw new ModelRejectedException(label + ": the model has " + inputs.size() + " inputs " + inputs.keySet()
                        + "; set inputName to the one that takes the feature vector");
            }
            name = inputs.keySet().iterator().next();
        } else if (!inputs.containsKey(name)) {
            throw new ModelRejectedException(label + ": input '" + name + "' not found; the model's inputs are "
                    + inputs.keySet());
        }
        ValueInfo info = inputs.get(name).getInfo();
        int n = mv.getFeatureCount();
        String expected = "float [batch, " + n + "]";
        if (!(info instanceof TensorInfo t)) {
            throw new ModelRejectedException(label + ": input '" + name + "' is " + info + ", expected a tensor " + expected);
        }
        if (t.type != OnnxJavaType.FLOAT) {
            throw new ModelRejectedException(label + ": input '" + name + "' has element type " + t.type
                    + ", expected " + expected);
        }
        long[] shape = t.getShape();
        if (shape.length != 2) {
            throw new ModelRejectedException(label + ": input '" + name + "' has shape " + shapeText(t)
                    + " (rank " + shape.length + "), expected " + expected);
        }
        if (shape[0] > 0) {
            throw new ModelRejectedException(label + ": input '" + name + "' has a fixed batch dimension "
                    + shapeText(t) + ", expected " + expected + "; export it with a dynamic batch axis");
        }
        if (shape[1] >= 0 && shape[1] != n) {
            throw new ModelRejectedException(label + ": input '" + name + "' has shape " + shapeText(t) + " but "
                    + expected + " is expected (featureCount " + n + ")");
        }
        return name;
    }

    private static String outputName(ModelVersion mv, String label, ModelSession session) throws ModelRejectedException {
        Map<String, NodeInfo> outputs = session.outputInfo();
        String name = mv.getOutputName();
        if (name == null) {
            if (outputs.isEmpty()) {
                throw new ModelRejectedException(label + ": the model has no outputs");
            }
            return outputs.keySet().iterator().next();
        }
        if (!outputs.containsKey(name)) {
            throw new ModelRejectedException(label + ": output '" + name + "' not found; the model's outputs are "
                    + outputs.keySet());
        }
        return name;
    }

    /** Returns {width, column}. */
    private static int[] checkOutput(ModelVersion mv, String label, NodeInfo node) throws ModelRejectedException {
        ModelTask task = mv.getTask();
        if (task == ModelTask.MULTICLASS) {
            return new int[] {checkClassOutput(mv, label, node), 0};
        }
        String accepted = task == ModelTask.BINARY ? "[N], [N,1] or [N,2]" : "[N] or [N,1]";
        ValueInfo info = node.getInfo();
        if (!(info instanceof TensorInfo t)) {
            throw new ModelRejectedException(label + ": output '" + node.getName() + "' is " + info
                    + ", expected a float tensor " + accepted + " for a " + task + " model");
        }
        if (t.type != OnnxJavaType.FLOAT) {
            throw new ModelRejectedException(label + ": output '" + node.getName() + "' has element type " + t.type
                    + ", expected float " + accepted + " for a " + task + " model");
        }
        long[] shape = t.getShape();
        boolean fits;
        int width;
        if (shape.length == 1) {
            fits = true;
            width = 1;
        } else if (shape.length == 2 && shape[1] == 1) {
            fits = true;
            width = 1;
        } else if (shape.length == 2 && shape[1] == 2 && task == ModelTask.BINARY) {
            fits = true;
            width = 2;
        } else {
            fits = false;
            width = -1;
        }
        if (!fits) {
            String hint = shape.length == 2 && shape[1] < 0
                    ? " (the class dimension is symbolic; export the output with a fixed width)" : "";
            throw new ModelRejectedException(label + ": output '" + node.getName() + "' has shape " + shapeText(t)
                    + ", but a " + task + " model must output " + accepted + hint);
        }
        int column = 0;
        if (width == 2) {
            column = mv.getPositiveIndex();
            if (column != 0 && column != 1) {
                throw new ModelRejectedException(label + ": positiveIndex is " + column + " but output '"
                        + node.getName() + "' has 2 columns; it must be 0 or 1");
            }
        }
        return new int[] {width, column};
    }

    /**
     * A multiclass output is float {@code [N, K]} with K the number of class labels. A symbolic
     * class axis is accepted here; the golden batch then shows its actual width.
     */
    private static int checkClassOutput(ModelVersion mv, String label, NodeInfo node) throws ModelRejectedException {
        int k = mv.getClassLabels().size();
        String accepted = "float [N, " + k + "] (one column per class label)";
        ValueInfo info = node.getInfo();
        if (!(info instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT) {
            throw new ModelRejectedException(label + ": output '" + node.getName() + "' is " + info
                    + ", expected " + accepted + " for a MULTICLASS model");
        }
        long[] shape = t.getShape();
        if (shape.length != 2) {
            throw new ModelRejectedException(label + ": output '" + node.getName() + "' has shape " + shapeText(t)
                    + " (rank " + shape.length + "), but a MULTICLASS model must output " + accepted);
        }
        if (shape[1] >= 0 && shape[1] != k) {
            throw new ModelRejectedException(label + ": output '" + node.getName() + "' has " + shape[1]
                    + " columns (shape " + shapeText(t) + ") but the version names " + k
                    + " class labels; there must be one label per column");
        }
        return k;
    }

    private static ModelVersion metadataOnly(ModelVersion mv) {
        return ModelVersion.newBuilder(mv).setOnnx(null).build();
    }

    private static String shapeText(TensorInfo t) {
        long[] shape = t.getShape();
        String[] names = t.getDimensionNames();
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            if (shape[i] >= 0) {
                sb.append(shape[i]);
            } else if (names != null && i < names.length && names[i] != null && !names[i].isEmpty()) {
                sb.append(names[i]);
            } else {
                sb.append('?');
            }
        }
        return sb.append(']').toString();
    }
}
