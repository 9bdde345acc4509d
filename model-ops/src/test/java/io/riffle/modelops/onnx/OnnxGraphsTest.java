package io.riffle.modelops.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.riffle.modelops.testing.Reference;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OnnxGraphsTest {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @Test
    void smallNetworkMatchesJavaForwardPass() throws Exception {
        checkDense(new int[] {16, 8, 1}, OutputActivation.SIGMOID, 11L);
    }

    @Test
    void deeperNetworkMatchesJavaForwardPass() throws Exception {
        checkDense(new int[] {32, 64, 32, 1}, OutputActivation.SIGMOID, 12L);
    }

    @Test
    void softmaxAndLinearOutputsMatch() throws Exception {
        checkDense(new int[] {8, 4, 3}, OutputActivation.SOFTMAX, 13L);
        checkDense(new int[] {8, 2}, OutputActivation.NONE, 14L);
    }

    @Test
    void gaussianAnomalyMatchesJava() throws Exception {
        int n = 12;
        Random r = new Random(5);
        float[] mean = new float[n];
        float[] std = new float[n];
        for (int i = 0; i < n; i++) {
            mean[i] = (float) r.nextGaussian();
            std[i] = 0.5f + r.nextFloat();
        }
        float[][] x = randomRows(r, 20, n, 3.0);
        float[][] got = run(OnnxGraphs.gaussianAnomaly(mean, std, n), x, new long[] {-1, 1});
        for (int row = 0; row < x.length; row++) {
            float expected = Reference.gaussianAnomaly(mean, std, n, x[row]);
            assertThat(got[row][0]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(got[row][0]).isBetween(0f, 1f);
        }
    }

    private static void checkDense(int[] sizes, OutputActivation act, long seed) throws Exception {
        Random r = new Random(seed);
        float[][][] w = new float[sizes.length - 1][][];
        float[][] b = new float[sizes.length - 1][];
        for (int l = 0; l + 1 < sizes.length; l++) {
            w[l] = randomRows(r, sizes[l], sizes[l + 1], 1.0 / Math.sqrt(sizes[l]));
            b[l] = randomRows(r, 1, sizes[l + 1], 0.1)[0];
        }
        int out = sizes[sizes.length - 1];
        float[][] x = randomRows(r, 33, sizes[0], 1.0);
        float[][] got = run(OnnxGraphs.denseNetwork(w, b, act), x, new long[] {-1, out});
        for (int row = 0; row < x.length; row++) {
            float[] expected = Reference.dense(w, b, act, x[row]);
            for (int j = 0; j < out; j++) {
                assertThat(Math.abs(got[row][j] - expected[j]))
                        .as("row %d col %d", row, j)
                        .isLessThanOrEqualTo(1e-5f);
            }
        }
    }

    private static float[][] run(byte[] model, float[][] x, long[] expectedOutputShape) throws Exception {
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
                OrtSession s = ENV.createSession(model, opts)) {
            TensorInfo in = (TensorInfo) s.getInputInfo().get(OnnxGraphs.INPUT).getInfo();
            assertThat(in.getShape()).containsExactly(-1, x[0].length);
            assertThat(in.getDimensionNames()[0]).isEqualTo("batch");
            TensorInfo outInfo = (TensorInfo) s.getOutputInfo().get(OnnxGraphs.OUTPUT).getInfo();
            assertThat(outInfo.getShape()).containsExactly(expectedOutputShape);
            try (OnnxTensor t = OnnxTensor.createTensor(ENV, x);
                    OrtSession.Result res = s.run(Map.of(OnnxGraphs.INPUT, t))) {
                return (float[][]) res.get(0).getValue();
            }
        }
    }

    static float[][] randomRows(Random r, int rows, int cols, double scale) {
        float[][] m = new float[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                m[i][j] = (float) (r.nextGaussian() * scale);
            }
        }
        return m;
    }
}
