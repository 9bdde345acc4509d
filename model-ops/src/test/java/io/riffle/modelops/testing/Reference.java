package io.riffle.modelops.testing;

import io.riffle.modelops.onnx.OutputActivation;

/** Plain-Java forward passes (double accumulation) that the ONNX graphs are checked against. */
public final class Reference {

    private Reference() {}

    public static float[] dense(float[][][] weights, float[][] biases, OutputActivation act, float[] row) {
        double[] x = new double[row.length];
        for (int i = 0; i < row.length; i++) {
            x[i] = row[i];
        }
        for (int l = 0; l < weights.length; l++) {
            int out = biases[l].length;
            double[] y = new double[out];
            for (int j = 0; j < out; j++) {
                double s = biases[l][j];
                for (int i = 0; i < x.length; i++) {
                    s += x[i] * weights[l][i][j];
                }
                y[j] = l < weights.length - 1 ? Math.max(0.0, s) : s;
            }
            x = y;
        }
        float[] result = new float[x.length];
        switch (act) {
            case SIGMOID -> {
                for (int j = 0; j < x.length; j++) {
                    result[j] = (float) (1.0 / (1.0 + Math.exp(-x[j])));
                }
            }
            case SOFTMAX -> {
                double max = Double.NEGATIVE_INFINITY;
                for (double v : x) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (double v : x) {
                    sum += Math.exp(v - max);
                }
                for (int j = 0; j < x.length; j++) {
                    result[j] = (float) (Math.exp(x[j] - max) / sum);
                }
            }
            case NONE -> {
                for (int j = 0; j < x.length; j++) {
                    result[j] = (float) x[j];
                }
            }
        }
        return result;
    }

    public static float gaussianAnomaly(float[] mean, float[] std, float scale, float[] row) {
        double d2 = 0;
        for (int i = 0; i < row.length; i++) {
            double z = (row[i] - mean[i]) / (double) std[i];
            d2 += z * z;
        }
        return (float) (d2 / (d2 + scale));
    }
}
