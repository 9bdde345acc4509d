package io.riffle.modelops.validation;

import io.riffle.modelops.serving.LoadedModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.engine.SessionCache;
import io.riffle.modelops.onnx.OutputActivation;
import io.riffle.modelops.registry.ModelVersions;
import io.riffle.modelops.testing.TestModels;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every rejection names the model and the values involved, and leaves no session open. */
class ModelRejectionTest {

    private static final int N = 16;

    private final SessionCache cache = new SessionCache();
    private final ModelLoader loader = new ModelLoader(EngineOptions.defaults(), ModelLoader.DEFAULT_MAX_MODEL_BYTES, cache);
    private final ModelVersion good = TestModels.binaryMlp("fraud", 4, N, 1L);

    @AfterEach
    void noSessionLeaks() {
        assertThat(cache.openSessions()).isZero();
    }

    @Test
    void corruptBytes() {
        byte[] junk = "this is not an onnx model".getBytes(StandardCharsets.UTF_8);
        rejected(TestModels.withOnnx(good, junk), N, null)
                .hasMessageContaining("ONNX Runtime could not load it")
                .hasMessageContaining("on cpu");
    }

    @Test
    void noBytesAtAll() {
        rejected(ModelVersion.newBuilder(good).setOnnx(null).setUri(null).build(), N, null)
                .hasMessageContaining("both onnx and uri are empty");
    }

    @Test
    void fileUriIsReadOtherSchemesAreRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.onnx");
        Files.write(file, ModelVersions.onnxBytes(good));
        ModelVersion byFile = ModelVersion.newBuilder(good).setOnnx(null).setUri(file.toUri().toString()).build();
        try (LoadedModel m = loader.load(byFile, N, null)) {
            assertThat(m.device()).isEqualTo("cpu");
        }
        rejected(ModelVersion.newBuilder(byFile).setUri(dir.resolve("missing.onnx").toUri().toString()).build(), N, null)
                .hasMessageContaining("does not exist");
        rejected(ModelVersion.newBuilder(byFile).setUri("https://models.example.com/m.onnx").build(), N, null)
                .hasMessageContaining("'https://models.example.com/m.onnx' is not supported")
                .hasMessageContaining("only file: URIs");
    }

    @Test
    void sizeLimit() {
        ModelLoader small = new ModelLoader(EngineOptions.defaults(), 1000, cache);
        int size = good.getOnnx().remaining();
        assertThatThrownBy(() -> small.load(good, N, null))
                .isInstanceOf(ModelRejectedException.class)
                .hasMessageContaining("fraud v4")
                .hasMessageContaining(size + " bytes")
                .hasMessageContaining("size limit of 1000 bytes");
    }

    @Test
    void sha256Mismatch() {
        String wrong = "ab".repeat(32);
        rejected(ModelVersion.newBuilder(good).setSha256(wrong).build(), N, null)
                .hasMessageContaining("sha256 mismatch")
                .hasMessageContaining(wrong)
                .hasMessageContaining(good.getSha256());
    }

    @Test
    void sha256IsCaseInsensitive() throws Exception {
        ModelVersion upper = ModelVersion.newBuilder(good).setSha256(good.getSha256().toUpperCase()).build();
        loader.load(upper, N, null).close();
    }

    @Test
    void specHashMismatch() throws Exception {
        ModelVersion withSpec = ModelVersion.newBuilder(good).setFeatureSpecHash("spec-aaa").build();
        rejected(withSpec, N, "spec-bbb")
                .hasMessageContaining("feature spec hash mismatch")
                .hasMessageContaining("spec-aaa")
                .hasMessageContaining("spec-bbb");
        loader.load(withSpec, N, "SPEC-AAA").close();
        loader.load(withSpec, N, null).close();
        // A model without a spec hash: refused where the scorer has one, unless the policy allows it.
        rejected(good, N, "spec-bbb")
                .hasMessageContaining("no feature spec hash")
                .hasMessageContaining("spec spec-bbb")
                .hasMessageContaining("scoring.require-spec-hash: false");
        new ModelLoader(EngineOptions.defaults(), ModelLoader.DEFAULT_MAX_MODEL_BYTES, cache,
                ModelPolicy.defaults().withRequireSpecHash(false)).load(good, N, "spec-bbb").close();
    }

    @Test
    void featureCountMismatch() {
        rejected(good, 20, null)
                .hasMessageContaining("feature count mismatch")
                .hasMessageContaining("declares 16")
                .hasMessageContaining("provides 20");
    }

    @Test
    void wrongInputWidth() {
        byte[] eightWide = TestModels.mlp(2L, OutputActivation.SIGMOID, 8, 4, 1);
        rejected(ModelVersions.fromOnnx(eightWide, "fraud", 4, ModelTask.BINARY, N), N, null)
                .hasMessageContaining("input 'features' has shape [batch, 8]")
                .hasMessageContaining("float [batch, 16]");
    }

    @Test
    void fixedBatchDimension() {
        rejected(ModelVersions.fromOnnx(TestModels.fixedBatch(N), "fraud", 4, ModelTask.BINARY, N), N, null)
                .hasMessageContaining("fixed batch dimension [1, 16]")
                .hasMessageContaining("dynamic batch axis");
    }

    @Test
    void ambiguousOrUnknownInputAndOutputNames() throws Exception {
        ModelVersion two = ModelVersions.fromOnnx(TestModels.twoInputs(N), "fraud", 4, ModelTask.BINARY, N);
        rejected(two, N, null).hasMessageContaining("has 2 inputs [a, b]").hasMessageContaining("set inputName");
        rejected(ModelVersion.newBuilder(good).setInputName("x").build(), N, null)
                .hasMessageContaining("input 'x' not found").hasMessageContaining("[features]");
        rejected(ModelVersion.newBuilder(good).setOutputName("prob").build(), N, null)
                .hasMessageContaining("output 'prob' not found").hasMessageContaining("[score]");
    }

    @Test
    void wrongOutputShapeForTheTask() {
        byte[] threeClasses = TestModels.mlp(3L, OutputActivation.SOFTMAX, N, 8, 3);
        rejected(ModelVersions.fromOnnx(threeClasses, "fraud", 4, ModelTask.BINARY, N), N, null)
                .hasMessageContaining("output 'score' has shape [batch, 3]")
                .hasMessageContaining("BINARY model must output [N], [N,1] or [N,2]");
        byte[] twoClasses = TestModels.mlp(3L, OutputActivation.SOFTMAX, N, 8, 2);
        rejected(ModelVersions.fromOnnx(twoClasses, "fraud", 4, ModelTask.ANOMALY, N), N, null)
                .hasMessageContaining("ANOMALY model must output [N] or [N,1]");
    }

    @Test
    void positiveIndexOutOfRange() {
        byte[] twoClasses = TestModels.mlp(3L, OutputActivation.SOFTMAX, N, 8, 2);
        ModelVersion mv = ModelVersion.newBuilder(ModelVersions.fromOnnx(twoClasses, "fraud", 4, ModelTask.BINARY, N))
                .setPositiveIndex(2).build();
        rejected(mv, N, null).hasMessageContaining("positiveIndex is 2").hasMessageContaining("must be 0 or 1");
    }

    private final ModelVersion recs = TestModels.multiclassMlp("fraud", 4, N, 5, 2L);

    @Test
    void multiclassWithoutClassLabels() {
        rejected(ModelVersion.newBuilder(recs).setClassLabels(java.util.List.of()).build(), N, null)
                .hasMessageContaining("needs the label of each output column")
                .hasMessageContaining("--labels");
        rejected(ModelVersion.newBuilder(recs).setClassLabels(java.util.List.of("only")).build(), N, null)
                .hasMessageContaining("classLabels has 1, at least 2");
    }

    @Test
    void multiclassLabelsMustBeDistinctAndNotBlank() {
        rejected(ModelVersion.newBuilder(recs).setClassLabels(java.util.List.of("a", "b", "c", "b", "e")).build(), N, null)
                .hasMessageContaining("class label 'b' names both column 1 and column 3");
        rejected(ModelVersion.newBuilder(recs).setClassLabels(java.util.List.of("a", "b", " ", "d", "e")).build(), N, null)
                .hasMessageContaining("class label 2 is blank");
    }

    @Test
    void multiclassOutputKindIsProbabilitiesOrLogits() {
        rejected(ModelVersion.newBuilder(recs).setOutputKind("scores").build(), N, null)
                .hasMessageContaining("outputKind 'scores' is not one of probabilities, logits");
    }

    @Test
    void multiclassColumnsMustMatchTheLabels() {
        rejected(ModelVersion.newBuilder(recs).setClassLabels(TestModels.classLabels(4)).build(), N, null)
                .hasMessageContaining("has 5 columns")
                .hasMessageContaining("names 4 class labels");
        ModelVersion rank1 = ModelVersion.newBuilder(ModelVersions.fromOnnx(TestModels.binaryRank1(N, 3L), "fraud", 4,
                ModelTask.MULTICLASS, N)).setClassLabels(TestModels.classLabels(5)).build();
        rejected(rank1, N, null).hasMessageContaining("(rank 1), but a MULTICLASS model must output float [N, 5]");
    }

    @Test
    void multiclassRowsMustBeFiniteDistributions() {
        // Sigmoid per column: each value in [0,1], but a row of five does not sum to 1.
        ModelVersion sigmoids = ModelVersion.newBuilder(ModelVersions.fromOnnx(
                TestModels.mlp(3L, OutputActivation.SIGMOID, N, 8, 5), "fraud", 4, ModelTask.MULTICLASS, N))
                .setClassLabels(TestModels.classLabels(5)).build();
        rejected(sigmoids, N, null).hasMessageContaining("sums to").hasMessageContaining("must sum to 1");
        // Logits published as probabilities: outside [0,1]; the message names the fix.
        ModelVersion logits;
        byte[] raw = TestModels.mlpScaled(3L, OutputActivation.NONE, 4.0, N, 8, 5);
        logits = ModelVersion.newBuilder(TestModels.withOnnx(sigmoids, raw)).build();
        rejected(logits, N, null).hasMessageContaining("outside [0,1]").hasMessageContaining("--output-kind logits");
        // Published as logits, the same model serves: the scorer applies softmax.
        try (LoadedModel m = loader.load(ModelVersion.newBuilder(logits).setOutputKind("logits").build(), N, null)) {
            assertThat(m.isMulticlass()).isTrue();
            assertThat(m.classCount()).isEqualTo(5);
        } catch (ModelRejectedException e) {
            throw new AssertionError(e);
        }
        // A NaN logit is not turned into a distribution.
        rejected(TestModels.nanLogits("fraud", 4, 5), 5, null)
                .hasMessageContaining("non-finite output NaN for golden row 0 (zeros) class 0 ('item-0')");
    }

    @Test
    void nonFiniteOutputs() {
        rejected(ModelVersions.fromOnnx(TestModels.nanOutput(N), "fraud", 4, ModelTask.BINARY, N), N, null)
                .hasMessageContaining("non-finite output NaN")
                .hasMessageContaining("golden row 0 (zeros)");
        rejected(ModelVersions.fromOnnx(TestModels.divideByZero(N), "fraud", 4, ModelTask.ANOMALY, N), N, null)
                .hasMessageContaining("non-finite output Infinity")
                .hasMessageContaining("golden row 0 (zeros)");
    }

    @Test
    void outOfRangeOutputs() {
        byte[] logits = TestModels.mlpScaled(9L, OutputActivation.NONE, 50.0, N, 8, 1);
        rejected(ModelVersions.fromOnnx(logits, "fraud", 4, ModelTask.BINARY, N), N, null)
                .hasMessageContaining("is outside [0,1]")
                .hasMessageContaining("outputs must be probabilities/scores in [0,1]; add a Sigmoid to the graph");
    }

    @Test
    void reviewThresholdAboveBlockThreshold() {
        rejected(thresholds(0.9, 0.5), N, null)
                .hasMessageContaining("thresholds review 0.9 and block 0.5")
                .hasMessageContaining("review is above block")
                .hasMessageContaining("0 <= review <= block <= 1");
    }

    @Test
    void negativeThreshold() {
        rejected(thresholds(-0.1, 0.9), N, null)
                .hasMessageContaining("thresholds review -0.1 and block 0.9")
                .hasMessageContaining("outside [0,1]");
    }

    @Test
    void thresholdAboveOne() {
        rejected(thresholds(0.5, 2.0), N, null)
                .hasMessageContaining("thresholds review 0.5 and block 2.0")
                .hasMessageContaining("outside [0,1]");
    }

    @Test
    void nonFiniteThresholds() {
        rejected(thresholds(Double.NaN, 0.9), N, null)
                .hasMessageContaining("thresholds review NaN and block 0.9")
                .hasMessageContaining("not finite");
        rejected(thresholds(0.5, Double.NaN), N, null)
                .hasMessageContaining("thresholds review 0.5 and block NaN")
                .hasMessageContaining("not finite");
        rejected(thresholds(0.5, Double.POSITIVE_INFINITY), N, null)
                .hasMessageContaining("block Infinity")
                .hasMessageContaining("not finite");
    }

    @Test
    void thresholdsOnTheBoundsAreServed() throws Exception {
        loader.load(thresholds(0.0, 0.0), N, null).close();
        loader.load(thresholds(1.0, 1.0), N, null).close();
        loader.load(thresholds(0.0, 1.0), N, null).close();
    }

    private ModelVersion thresholds(double review, double block) {
        return ModelVersion.newBuilder(good).setReviewThreshold(review).setBlockThreshold(block).build();
    }

    private AbstractThrowableAssert<?, ? extends Throwable> rejected(ModelVersion mv, int features, String specHash) {
        return assertThatThrownBy(() -> loader.load(mv, features, specHash).close())
                .isInstanceOf(ModelRejectedException.class)
                .hasMessageStartingWith("model " + mv.getName() + " v" + mv.getVersion() + ": ");
    }

}
