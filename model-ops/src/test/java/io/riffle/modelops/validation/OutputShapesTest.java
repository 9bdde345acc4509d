package io.riffle.modelops.validation;

import io.riffle.modelops.serving.LoadedModel;
import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.engine.SessionCache;
import io.riffle.modelops.onnx.OutputActivation;
import io.riffle.modelops.registry.ModelVersions;
import io.riffle.modelops.testing.TestModels;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every output shape the validator accepts is served as one value per row. */
class OutputShapesTest {

    private static final int N = 10;

    private final SessionCache cache = new SessionCache();
    private final ModelLoader loader = new ModelLoader(EngineOptions.defaults(), ModelLoader.DEFAULT_MAX_MODEL_BYTES, cache);

    @AfterEach
    void nothingLeaks() {
        assertThat(cache.openSessions()).isZero();
    }

    @Test
    void binaryRank1() throws Exception {
        check(ModelVersions.fromOnnx(TestModels.binaryRank1(N, 4L), "r1", 1, ModelTask.BINARY, N), 0);
    }

    @Test
    void binaryOneColumn() throws Exception {
        check(TestModels.binaryMlp("c1", 1, N, 5L), 0);
    }

    @Test
    void binaryTwoColumnsPicksThePositiveIndex() throws Exception {
        byte[] softmax = TestModels.mlp(6L, OutputActivation.SOFTMAX, N, 8, 2);
        ModelVersion mv = ModelVersions.fromOnnx(softmax, "c2", 1, ModelTask.BINARY, N);
        check(ModelVersion.newBuilder(mv).setPositiveIndex(0).build(), 0);
        check(ModelVersion.newBuilder(mv).setPositiveIndex(1).build(), 1);
    }

    @Test
    void anomalyOneColumn() throws Exception {
        ModelVersion mv = TestModels.anomaly("a", 1, N);
        check(mv, 0);
        // A far-out row is stranger than the mean row.
        try (LoadedModel m = loader.load(mv, N, null)) {
            float[] rows = new float[2 * N];
            Arrays.fill(rows, N, 2 * N, 6f);
            float[] out = new float[2];
            m.score(rows, 2, out);
            assertThat(out[0]).isEqualTo(0f);
            assertThat(out[1]).isGreaterThan(0.9f).isLessThan(1f);
        }
    }

    @Test
    void namedInputAndOutput() throws Exception {
        ModelVersion mv = ModelVersion.newBuilder(TestModels.binaryMlp("named", 1, N, 8L))
                .setInputName("features").setOutputName("score").build();
        check(mv, 0);
    }

    private void check(ModelVersion mv, int column) throws Exception {
        int rows = 9;
        float[] x = TestModels.randomRows(99L, rows, N);
        float[] out = new float[rows];
        try (LoadedModel model = loader.load(mv, N, null)) {
            model.score(x, rows, out);
        }
        for (int i = 0; i < rows; i++) {
            float expected = TestModels.forward(mv, Arrays.copyOfRange(x, i * N, (i + 1) * N))[column];
            assertThat(Math.abs(out[i] - expected)).as("row %d", i).isLessThanOrEqualTo(1e-5f);
        }
    }
}
