package io.riffle.trainer.model;

import io.riffle.modelops.onnx.OnnxGraphBuilder;

/**
 * An exported dense network (ReLU between layers, linear last layer): its forward pass in
 * double precision and its Gemm/Relu chain in an ONNX graph. Float weights are
 * {@code [in][out]}; double weights are flat row-major {@code in x out}.
 */
final class FoldedNetwork {

    private FoldedNetwork() {}

    /** Linear outputs for float weights, row-major {@code rows x out}. */
    static double[] forward(float[][][] weights, float[][] biases, double[] input, int rows) {
        double[] a = input;
        for (int l = 0; l < weights.length; l++) {
            float[][] w = weights[l];
            int inWidth = w.length;
            int out = biases[l].length;
            double[] z = new double[rows * out];
            boolean relu = l < weights.length - 1;
            for (int r = 0; r < rows; r++) {
                int zo = r * out;
                for (int j = 0; j < out; j++) {
                    z[zo + j] = biases[l][j];
                }
                int ao = r * inWidth;
                for (int i = 0; i < inWidth; i++) {
                    double ai = a[ao + i];
                    float[] wi = w[i];
                    for (int j = 0; j < out; j++) {
                        z[zo + j] += ai * wi[j];
                    }
                }
                if (relu) {
                    for (int j = 0; j < out; j++) {
                        z[zo + j] = Math.max(0.0, z[zo + j]);
                    }
                }
            }
            a = z;
        }
        return a;
    }

    /** Linear outputs for double weights ({@code weights[l]} flat {@code in x out}). */
    static double[] forward(double[][] weights, double[][] biases, double[] input, int rows) {
        double[] a = input;
        for (int l = 0; l < weights.length; l++) {
            int out = biases[l].length;
            int inWidth = weights[l].length / out;
            double[] w = weights[l];
            double[] z = new double[rows * out];
            boolean relu = l < weights.length - 1;
            for (int r = 0; r < rows; r++) {
                int zo = r * out;
                System.arraycopy(biases[l], 0, z, zo, out);
                int ao = r * inWidth;
                for (int i = 0; i < inWidth; i++) {
                    double ai = a[ao + i];
                    int wo = i * out;
                    for (int j = 0; j < out; j++) {
                        z[zo + j] += ai * w[wo + j];
                    }
                }
                if (relu) {
                    for (int j = 0; j < out; j++) {
                        z[zo + j] = Math.max(0.0, z[zo + j]);
                    }
                }
            }
            a = z;
        }
        return a;
    }

    /** Appends Gemm (+ Relu between layers) nodes for float weights; returns the linear output. */
    static String gemmChain(OnnxGraphBuilder g, String input, float[][][] weights, float[][] biases) {
        String a = input;
        for (int l = 0; l < weights.length; l++) {
            int in = weights[l].length;
            int out = biases[l].length;
            float[] flat = new float[in * out];
            for (int i = 0; i < in; i++) {
                System.arraycopy(weights[l][i], 0, flat, i * out, out);
            }
            a = g.op("Gemm", a, g.floats("W" + l, flat, in, out), g.floats("B" + l, biases[l], out));
            if (l < weights.length - 1) {
                a = g.op("Relu", a);
            }
        }
        return a;
    }

    /** The same for double weights and a double input. */
    static String gemmChain(OnnxGraphBuilder g, String input, double[][] weights, double[][] biases) {
        String a = input;
        for (int l = 0; l < weights.length; l++) {
            int out = biases[l].length;
            int in = weights[l].length / out;
            a = g.op("Gemm", a, g.doubles("W" + l, weights[l], in, out), g.doubles("B" + l, biases[l], out));
            if (l < weights.length - 1) {
                a = g.op("Relu", a);
            }
        }
        return a;
    }
}
