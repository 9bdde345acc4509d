package io.riffle.trainer.model;

import java.util.SplittableRandom;

/**
 * A fully connected network in double precision with ReLU hidden layers and a linear output,
 * trained by back-propagation on mini-batches. Weights of layer {@code l} are
 * {@code [sizes[l]][sizes[l+1]]} row-major (the layout ONNX Gemm takes as B), so export is a copy.
 *
 * <p>Double precision keeps the finite-difference gradient check meaningful and costs little next
 * to the memory traffic of reading the batch. Not thread-safe: it owns its batch workspace.
 */
final class DenseNetwork {

    final int[] sizes;
    final double[][] weights;
    final double[][] biases;
    final double[][] weightGrads;
    final double[][] biasGrads;

    // activations[0] is the caller's input; activations[l] for 0 < l < layers is post-ReLU;
    // activations[layers] is the linear output.
    private final double[][] activations;
    private final double[][] deltas;
    private int capacity;

    DenseNetwork(int[] sizes, SplittableRandom random) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("a network needs an input and an output size");
        }
        this.sizes = sizes.clone();
        int layers = sizes.length - 1;
        weights = new double[layers][];
        biases = new double[layers][];
        weightGrads = new double[layers][];
        biasGrads = new double[layers][];
        for (int l = 0; l < layers; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            weights[l] = new double[in * out];
            biases[l] = new double[out];
            weightGrads[l] = new double[in * out];
            biasGrads[l] = new double[out];
            // He initialisation for layers feeding a ReLU; Xavier-like for the linear output.
            double scale = Math.sqrt((l < layers - 1 ? 2.0 : 1.0) / in);
            for (int k = 0; k < weights[l].length; k++) {
                weights[l][k] = random.nextGaussian() * scale;
            }
        }
        activations = new double[layers + 1][];
        deltas = new double[layers + 1][];
    }

    int layers() {
        return sizes.length - 1;
    }

    int inputs() {
        return sizes[0];
    }

    int outputs() {
        return sizes[sizes.length - 1];
    }

    /** The parameter arrays in a fixed order (w0, b0, w1, b1, ...), for the optimiser and snapshots. */
    double[][] parameters() {
        double[][] p = new double[2 * layers()][];
        for (int l = 0; l < layers(); l++) {
            p[2 * l] = weights[l];
            p[2 * l + 1] = biases[l];
        }
        return p;
    }

    /** The gradient arrays in the order of {@link #parameters()}. */
    double[][] gradients() {
        double[][] g = new double[2 * layers()][];
        for (int l = 0; l < layers(); l++) {
            g[2 * l] = weightGrads[l];
            g[2 * l + 1] = biasGrads[l];
        }
        return g;
    }

    /**
     * Runs {@code rows} rows of {@code input} (row-major, {@link #inputs()} wide); returns the
     * linear output ({@code rows x outputs()}, valid until the next call).
     */
    double[] forward(double[] input, int rows) {
        ensureCapacity(rows);
        activations[0] = input;
        for (int l = 0; l < layers(); l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            double[] a = activations[l];
            double[] z = activations[l + 1];
            double[] w = weights[l];
            double[] b = biases[l];
            boolean relu = l < layers() - 1;
            for (int r = 0; r < rows; r++) {
                int zo = r * out;
                System.arraycopy(b, 0, z, zo, out);
                int ao = r * in;
                for (int i = 0; i < in; i++) {
                    double ai = a[ao + i];
                    if (ai == 0.0) {
                        continue; // ReLU zeros are common; skipping them is exact
                    }
                    int wo = i * out;
                    for (int j = 0; j < out; j++) {
                        z[zo + j] += ai * w[wo + j];
                    }
                }
                if (relu) {
                    for (int j = 0; j < out; j++) {
                        if (z[zo + j] < 0) {
                            z[zo + j] = 0;
                        }
                    }
                }
            }
        }
        return activations[layers()];
    }

    /**
     * Back-propagates {@code outputDelta} (d loss / d linear output, {@code rows x outputs()}) of
     * the last {@link #forward} call and sets the gradients; adds {@code l2 * w} to weight
     * gradients (biases are not decayed).
     */
    void backward(double[] outputDelta, int rows, double l2) {
        deltas[layers()] = outputDelta;
        for (int l = layers() - 1; l >= 0; l--) {
            int in = sizes[l];
            int out = sizes[l + 1];
            double[] a = activations[l];
            double[] d = deltas[l + 1];
            double[] w = weights[l];
            double[] gw = weightGrads[l];
            double[] gb = biasGrads[l];
            java.util.Arrays.fill(gw, 0.0);
            java.util.Arrays.fill(gb, 0.0);
            boolean propagate = l > 0;
            double[] prev = propagate ? deltas[l] : null;
            for (int r = 0; r < rows; r++) {
                int dOff = r * out;
                for (int j = 0; j < out; j++) {
                    gb[j] += d[dOff + j];
                }
                int aOff = r * in;
                for (int i = 0; i < in; i++) {
                    double ai = a[aOff + i];
                    int wo = i * out;
                    if (ai != 0.0) {
                        for (int j = 0; j < out; j++) {
                            gw[wo + j] += ai * d[dOff + j];
                        }
                    }
                    if (propagate) {
                        // a hidden activation of 0 means the ReLU was off: no gradient flows back.
                        double s = 0.0;
                        if (ai > 0.0) {
                            for (int j = 0; j < out; j++) {
                                s += w[wo + j] * d[dOff + j];
                            }
                        }
                        prev[aOff + i] = s;
                    }
                }
            }
            if (l2 > 0) {
                for (int k = 0; k < gw.length; k++) {
                    gw[k] += l2 * w[k];
                }
            }
        }
    }

    /** {@code 0.5 * l2 * sum(w^2)} over all weights (the penalty whose gradient backward adds). */
    double l2Penalty(double l2) {
        if (l2 == 0) {
            return 0;
        }
        double s = 0;
        for (double[] w : weights) {
            for (double v : w) {
                s += v * v;
            }
        }
        return 0.5 * l2 * s;
    }

    double[][] snapshot() {
        double[][] p = parameters();
        double[][] copy = new double[p.length][];
        for (int k = 0; k < p.length; k++) {
            copy[k] = p[k].clone();
        }
        return copy;
    }

    void restore(double[][] snapshot) {
        double[][] p = parameters();
        for (int k = 0; k < p.length; k++) {
            System.arraycopy(snapshot[k], 0, p[k], 0, p[k].length);
        }
    }

    private void ensureCapacity(int rows) {
        if (rows <= capacity) {
            return;
        }
        for (int l = 1; l <= layers(); l++) {
            activations[l] = new double[rows * sizes[l]];
            if (l < layers()) {
                deltas[l] = new double[rows * sizes[l]];
            }
        }
        capacity = rows;
    }
}
