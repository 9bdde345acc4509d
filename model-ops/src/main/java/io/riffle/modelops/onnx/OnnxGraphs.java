package io.riffle.modelops.onnx;

import static io.riffle.modelops.onnx.OnnxGraphBuilder.BATCH;

import java.util.Map;

/**
 * Ready-made ONNX graphs with input {@code "features"} (float {@code [batch, n]}) and output
 * {@code "score"} (float {@code [batch, k]}), using only Gemm, Relu, Sigmoid, Softmax, Sub, Div,
 * Mul, Add and ReduceSum at opset 17 so the CUDA provider can run every node.
 */
public final class OnnxGraphs {

    public static final String INPUT = "features";
    public static final String OUTPUT = "score";

    private OnnxGraphs() {}

    /**
     * A fully connected network: {@code weights[l]} is {@code [in][out]}, {@code biases[l]} is
     * {@code [out]}; hidden layers use Relu, the last layer {@code outputActivation}.
     */
    public static byte[] denseNetwork(float[][][] weights, float[][] biases, OutputActivation outputActivation) {
        if (weights.length == 0 || weights.length != biases.length) {
            throw new IllegalArgumentException(
                    "need one bias vector per weight matrix and at least one layer, got "
                            + weights.length + " weight matrices and " + biases.length + " bias vectors");
        }
        OnnxGraphBuilder g = new OnnxGraphBuilder("riffle_dense");
        int in = weights[0].length;
        String x = g.input(INPUT, BATCH, in);
        for (int l = 0; l < weights.length; l++) {
            float[][] w = weights[l];
            if (w.length != in) {
                throw new IllegalArgumentException("layer " + l + " expects " + w.length + " inputs, previous layer gives " + in);
            }
            int out = biases[l].length;
            float[] flat = new float[in * out];
            for (int i = 0; i < in; i++) {
                if (w[i].length != out) {
                    throw new IllegalArgumentException(
                            "layer " + l + " row " + i + " has " + w[i].length + " columns, bias has " + out);
                }
                System.arraycopy(w[i], 0, flat, i * out, out);
            }
            String wName = g.floats("W" + l, flat, in, out);
            String bName = g.floats("B" + l, biases[l], out);
            x = g.op("Gemm", x, wName, bName);
            boolean last = l == weights.length - 1;
            if (!last) {
                x = g.op("Relu", x);
            } else {
                switch (outputActivation) {
                    case SIGMOID -> x = g.op("Sigmoid", x);
                    case SOFTMAX -> x = g.op("Softmax", Map.of("axis", 1L), x);
                    case NONE -> { }
                }
            }
            in = out;
        }
        g.output(x, OUTPUT, BATCH, in);
        return g.build();
    }

    /**
     * A diagonal-Gaussian anomaly scorer: {@code d2 = sum_i ((x_i - mean_i) / std_i)^2} and
     * {@code score = d2 / (d2 + scale)}, output {@code [batch, 1]} in [0, 1). {@code scale} is the
     * d2 at which the score is 0.5 (e.g. the number of features, the expected d2 of a normal row).
     */
    public static byte[] gaussianAnomaly(float[] mean, float[] std, float scale) {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("mean and std must have the same non-zero length, got "
                    + mean.length + " and " + std.length);
        }
        if (!(scale > 0)) {
            throw new IllegalArgumentException("scale must be > 0, got " + scale);
        }
        int n = mean.length;
        OnnxGraphBuilder g = new OnnxGraphBuilder("riffle_gaussian_anomaly");
        String x = g.input(INPUT, BATCH, n);
        String z = g.op("Div", g.op("Sub", x, g.floats("mean", mean, n)), g.floats("std", std, n));
        String d2 = g.op("ReduceSum", Map.of("keepdims", 1L), g.op("Mul", z, z), g.longs("axes", new long[] {1}, 1));
        String score = g.op("Div", d2, g.op("Add", d2, g.scalar("scale", scale)));
        g.output(score, OUTPUT, BATCH, 1);
        return g.build();
    }
}
