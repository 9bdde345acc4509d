package io.riffle.modelops.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.engine.SessionCache;
import io.riffle.modelops.onnx.OutputActivation;
import io.riffle.modelops.registry.ModelVersions;
import io.riffle.modelops.testing.TestModels;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LoadedModelTest {

    private final SessionCache cache = new SessionCache();
    private final ModelLoader loader = new ModelLoader(EngineOptions.defaults(), ModelLoader.DEFAULT_MAX_MODEL_BYTES, cache);

    @Test
    void probabilitiesStayWithinZeroAndOneWhereTheSigmoidKernelOvershoots() throws Exception {
        // One input, weight 1: the output is sigmoid(x). ONNX Runtime's vectorised kernel returns
        // 1.0000001 for some large logits (seen in the bench); the scorer must report at most 1.
        byte[] onnx = io.riffle.modelops.onnx.OnnxGraphs.denseNetwork(new float[][][] {{{1f}}}, new float[][] {{0f}},
                OutputActivation.SIGMOID);
        ModelVersion mv = ModelVersions.fromOnnx(onnx, "fraud", 1, ModelTask.BINARY, 1);
        int rows = 65_536;
        float[] x = new float[rows];
        for (int i = 0; i < rows; i++) {
            float a = 5f + 20f * (i / 2) / (rows / 2);     // logits of 5..25 and their negatives
            x[i] = i % 2 == 0 ? a : -a;
        }
        float[] raw = new float[rows];
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (ai.onnxruntime.OrtSession session = env.createSession(onnx, new ai.onnxruntime.OrtSession.SessionOptions());
             ai.onnxruntime.OnnxTensor t = ai.onnxruntime.OnnxTensor.createTensor(env,
                     java.nio.FloatBuffer.wrap(x), new long[] {rows, 1});
             ai.onnxruntime.OrtSession.Result r = session.run(java.util.Map.of(session.getInputNames().iterator().next(), t))) {
            ((ai.onnxruntime.OnnxTensor) r.get(0)).getFloatBuffer().get(raw);
        }
        // With ONNX Runtime 1.28.0 one of these raw outputs is 1.0000001.
        float[] out = new float[rows];
        try (LoadedModel model = loader.load(mv, 1, null)) {
            model.score(x, rows, out);
        }
        for (int i = 0; i < rows; i++) {
            assertThat(out[i]).as("sigmoid(%s)", x[i]).isBetween(0f, 1f);
            assertThat(Math.abs(out[i] - raw[i])).isLessThanOrEqualTo(1e-6f);
        }
    }

    @Test
    void topKOfAHandComputedRowBestFirstTiesByColumn() throws Exception {
        // Logits = the input: softmax([0, 2, 1, 2, -1]) ranks columns 1 and 3 (tied, column order), then 2, 0, 4.
        ModelVersion mv = TestModels.identityLogits("recs", 1, 5);
        float[] x = {0f, 2f, 1f, 2f, -1f, /* second row */ 3f, 0f, 0f, 0f, 0f};
        float[] probs = new float[10];
        try (LoadedModel model = loader.load(mv, 5, null)) {
            assertThat(model.isMulticlass()).isTrue();
            assertThat(model.classLabel(3)).isEqualTo("item-3");
            model.probabilities(x, 2, probs);
            double z = 1 + 2 * Math.exp(2) + Math.exp(1) + Math.exp(-1);
            assertThat(probs[0]).isCloseTo((float) (1 / z), org.assertj.core.data.Offset.offset(1e-6f));
            assertThat(probs[1]).isCloseTo((float) (Math.exp(2) / z), org.assertj.core.data.Offset.offset(1e-6f));
            assertThat(probs[4]).isCloseTo((float) (Math.exp(-1) / z), org.assertj.core.data.Offset.offset(1e-6f));
            int[] best = new int[3];
            assertThat(LoadedModel.topK(probs, 0, 5, 3, best)).isEqualTo(3);
            assertThat(best).containsExactly(1, 3, 2);
            assertThat(LoadedModel.topK(probs, 5, 5, 3, best)).isEqualTo(3);
            assertThat(best).containsExactly(0, 1, 2);
            // score(): the best class's probability per row.
            float[] top = new float[2];
            model.score(x, 2, top);
            assertThat(top[0]).isEqualTo(probs[1]);
            assertThat(top[1]).isCloseTo((float) (Math.exp(3) / (Math.exp(3) + 4)), org.assertj.core.data.Offset.offset(1e-6f));
        }
        // k above K returns all K; NaN ranks last.
        int[] all = new int[4];
        assertThat(LoadedModel.topK(new float[] {Float.NaN, 0.2f, 0.5f}, 0, 3, 4, all)).isEqualTo(3);
        assertThat(Arrays.copyOf(all, 3)).containsExactly(2, 1, 0);
    }

    @Test
    void softmaxMlpMatchesJavaForwardPass() throws Exception {
        ModelVersion mv = TestModels.multiclassMlp("recs", 2, 12, 40, 11L);
        int rows = 9;
        float[] x = TestModels.randomRows(5L, rows, 12);
        float[] probs = new float[rows * 40];
        try (LoadedModel model = loader.load(mv, 12, null)) {
            model.probabilities(x, rows, probs);
        }
        for (int i = 0; i < rows; i++) {
            float[] expected = TestModels.forward(mv, Arrays.copyOfRange(x, i * 12, (i + 1) * 12));
            for (int k = 0; k < 40; k++) {
                assertThat(Math.abs(probs[i * 40 + k] - expected[k])).as("row %d class %d", i, k).isLessThanOrEqualTo(1e-6f);
            }
        }
    }

    @Test
    void mlpMatchesJavaForwardPassAtEveryBatchSize() throws Exception {
        ModelVersion mv = ModelVersions.fromOnnx(TestModels.mlp(7L, OutputActivation.SIGMOID, 32, 64, 32, 1),
                "fraud", 3, ModelTask.BINARY, 32);
        try (LoadedModel model = loader.load(mv, 32, null)) {
            // 1, 7, then 256 rows: the last outgrows the initial input buffer (64 rows).
            for (int rows : new int[] {1, 7, 256, 3}) {
                float[] x = TestModels.randomRows(rows, rows, 32);
                float[] out = new float[rows + 2];
                Arrays.fill(out, -7f);
                model.score(x, rows, out);
                for (int i = 0; i < rows; i++) {
                    float expected = TestModels.forward(mv, Arrays.copyOfRange(x, i * 32, (i + 1) * 32))[0];
                    assertThat(Math.abs(out[i] - expected)).as("batch %d row %d", rows, i).isLessThanOrEqualTo(1e-5f);
                }
                assertThat(out[rows]).as("nothing written past rows").isEqualTo(-7f);
            }
        }
    }

    @Test
    void exposesMetadataAndReleasesTheSessionOnClose() throws Exception {
        ModelVersion mv = ModelVersion.newBuilder(TestModels.binaryMlp("fraud", 5, 12, 3L))
                .setRole(ModelRole.SHADOW).build();
        LoadedModel model = loader.load(mv, 12, null);
        assertThat(model.name()).isEqualTo("fraud");
        assertThat(model.versionNumber()).isEqualTo(5);
        assertThat(model.task()).isEqualTo(ModelTask.BINARY);
        assertThat(model.role()).isEqualTo(ModelRole.SHADOW);
        assertThat(model.device()).isEqualTo("cpu");
        assertThat(model.featureCount()).isEqualTo(12);
        assertThat(model.version().getOnnx()).as("bytes dropped from the kept metadata").isNull();
        assertThat(model.version().getSha256()).isEqualTo(mv.getSha256());
        assertThat(cache.references(mv.getSha256())).isEqualTo(1);

        try (LoadedModel second = loader.load(mv, 12, null)) {
            assertThat(cache.openSessions()).isEqualTo(1);
            assertThat(cache.references(mv.getSha256())).isEqualTo(2);
        }
        model.close();
        model.close();
        assertThat(cache.openSessions()).isZero();
        assertThatThrownBy(() -> model.score(new float[12], 1, new float[1])).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rejectsBadArguments() throws Exception {
        try (LoadedModel model = loader.load(TestModels.binaryMlp("m", 1, 4, 1L), 4, null)) {
            assertThatThrownBy(() -> model.score(new float[7], 2, new float[2]))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> model.score(new float[8], 2, new float[1]))
                    .isInstanceOf(IllegalArgumentException.class);
            model.score(new float[0], 0, new float[0]); // an empty batch is a no-op
        }
    }
}
