package io.riffle.cli.demo;

import io.riffle.trainer.model.Adam;

import java.util.SplittableRandom;

/**
 * Fits a small binary classifier in plain Java: inputs standardised with the training mean and
 * standard deviation, one ReLU hidden layer, a sigmoid output, weighted log-loss (positives
 * weighted by the negative/positive ratio, so rare fraud is not ignored), mini-batch Adam.
 * With {@code hidden = 0} it is plain logistic regression.
 *
 * <p>The returned {@link Network} has the standardisation folded into its first layer, so it
 * takes raw feature vectors, exactly like the ONNX graph built from it. Deterministic for a seed.
 */
public final class LogisticFit {

    /**
     * How to fit. {@code ignored[i]} true keeps feature {@code i} out of the model (its weights
     * stay zero), e.g. for a feature the training data cannot teach.
     */
    public record Settings(int hidden, int epochs, int batchSize, double learningRate, double l2, long seed,
                           boolean[] ignored) {
        public static Settings defaults(long seed) {
            return new Settings(16, 8, 256, 0.005, 1e-4, seed, null);
        }

        public Settings withIgnored(boolean[] ignoredFeatures) {
            return new Settings(hidden, epochs, batchSize, learningRate, l2, seed, ignoredFeatures);
        }
    }

    /**
     * A fitted network on raw features: {@code weights[l]} is {@code [in][out]} and
     * {@code biases[l]} is {@code [out]}; hidden layers use ReLU, the last a sigmoid (the layout
     * {@code OnnxGraphs.denseNetwork} takes).
     */
    public record Network(float[][][] weights, float[][] biases) {

        /** Probability of the positive class for one raw feature vector. */
        public float score(float[] x) {
            double[] in = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                in[i] = x[i];
            }
            for (int l = 0; l < weights.length; l++) {
                float[][] w = weights[l];
                int outs = biases[l].length;
                double[] out = new double[outs];
                for (int j = 0; j < outs; j++) {
                    double s = biases[l][j];
                    for (int i = 0; i < in.length; i++) {
                        s += in[i] * w[i][j];
                    }
                    out[j] = l < weights.length - 1 ? Math.max(0, s) : s;
                }
                in = out;
            }
            return (float) sigmoid(in[0]);
        }
    }

    private LogisticFit() {}

    /** Fits on rows {@code x} (all of one length) with labels {@code y}; both classes must occur. */
    public static Network fit(float[][] x, boolean[] y, Settings settings) {
        int n = x.length;
        if (n == 0 || y.length != n) {
            throw new IllegalArgumentException("need as many labels as rows, and at least one row");
        }
        int d = x[0].length;
        int positives = 0;
        for (boolean label : y) {
            positives += label ? 1 : 0;
        }
        if (positives == 0 || positives == n) {
            throw new IllegalArgumentException("both classes must occur in the training data");
        }
        boolean[] ignored = settings.ignored() == null ? new boolean[d] : settings.ignored();

        // Standardise (ignored features become 0).
        double[] mean = new double[d];
        double[] std = new double[d];
        for (float[] row : x) {
            for (int i = 0; i < d; i++) {
                mean[i] += row[i];
            }
        }
        for (int i = 0; i < d; i++) {
            mean[i] /= n;
        }
        for (float[] row : x) {
            for (int i = 0; i < d; i++) {
                double c = row[i] - mean[i];
                std[i] += c * c;
            }
        }
        for (int i = 0; i < d; i++) {
            std[i] = Math.max(Math.sqrt(std[i] / n), 1e-3);
        }
        double[] z = new double[n * d];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < d; i++) {
                z[r * d + i] = ignored[i] ? 0.0 : (x[r][i] - mean[i]) / std[i];
            }
        }
        double positiveWeight = (double) (n - positives) / positives;

        SplittableRandom random = new SplittableRandom(settings.seed());
        int h = settings.hidden();
        boolean linear = h == 0;
        int firstOut = linear ? 1 : h;
        // Parameters: layer 1 [d][firstOut] + [firstOut]; layer 2 [h] + [1] when hidden.
        double[] w1 = new double[d * firstOut];
        double[] b1 = new double[firstOut];
        double[] w2 = new double[linear ? 0 : h];
        double[] b2 = new double[1];
        double scale1 = Math.sqrt(2.0 / d);
        for (int k = 0; k < w1.length; k++) {
            w1[k] = ignored[k / firstOut] ? 0.0 : random.nextGaussian() * scale1;
        }
        for (int k = 0; k < w2.length; k++) {
            w2[k] = random.nextGaussian() * Math.sqrt(1.0 / h);
        }
        // Biases start at 0: with balanced class weights the prior logit is 0.

        Adam adam = new Adam(new double[][] {w1, b1, w2, b2}, settings.learningRate());
        double[] gw1 = new double[w1.length];
        double[] gb1 = new double[b1.length];
        double[] gw2 = new double[w2.length];
        double[] gb2 = new double[1];
        double[] hidden = new double[firstOut];
        int[] order = new int[n];
        for (int r = 0; r < n; r++) {
            order[r] = r;
        }
        for (int epoch = 0; epoch < settings.epochs(); epoch++) {
            shuffle(order, random);
            for (int start = 0; start < n; start += settings.batchSize()) {
                int end = Math.min(n, start + settings.batchSize());
                java.util.Arrays.fill(gw1, 0);
                java.util.Arrays.fill(gb1, 0);
                java.util.Arrays.fill(gw2, 0);
                gb2[0] = 0;
                double totalWeight = 0;
                for (int b = start; b < end; b++) {
                    int r = order[b];
                    int base = r * d;
                    double weight = y[r] ? positiveWeight : 1.0;
                    totalWeight += weight;
                    for (int j = 0; j < firstOut; j++) {
                        double s = b1[j];
                        for (int i = 0; i < d; i++) {
                            s += z[base + i] * w1[i * firstOut + j];
                        }
                        hidden[j] = s;
                    }
                    double logit;
                    if (linear) {
                        logit = hidden[0];
                    } else {
                        logit = b2[0];
                        for (int j = 0; j < h; j++) {
                            logit += Math.max(0, hidden[j]) * w2[j];
                        }
                    }
                    // d(weighted log-loss)/d(logit)
                    double delta = weight * (sigmoid(logit) - (y[r] ? 1 : 0));
                    if (linear) {
                        gb1[0] += delta;
                        for (int i = 0; i < d; i++) {
                            gw1[i] += delta * z[base + i];
                        }
                        continue;
                    }
                    gb2[0] += delta;
                    for (int j = 0; j < h; j++) {
                        if (hidden[j] <= 0) {
                            continue;
                        }
                        gw2[j] += delta * hidden[j];
                        double dh = delta * w2[j];
                        gb1[j] += dh;
                        for (int i = 0; i < d; i++) {
                            gw1[i * firstOut + j] += dh * z[base + i];
                        }
                    }
                }
                double inv = 1.0 / totalWeight;
                for (int k = 0; k < gw1.length; k++) {
                    gw1[k] = ignored[k / firstOut] ? 0.0 : gw1[k] * inv + settings.l2() * w1[k];
                }
                for (int k = 0; k < gb1.length; k++) {
                    gb1[k] *= inv;
                }
                for (int k = 0; k < gw2.length; k++) {
                    gw2[k] = gw2[k] * inv + settings.l2() * w2[k];
                }
                gb2[0] *= inv;
                adam.step(new double[][] {gw1, gb1, gw2, gb2});
            }
        }

        // Fold the standardisation into layer 1: w' = w / std, b' = b - sum(w * mean / std).
        float[][] foldedW1 = new float[d][firstOut];
        float[] foldedB1 = new float[firstOut];
        for (int j = 0; j < firstOut; j++) {
            double bias = b1[j];
            for (int i = 0; i < d; i++) {
                double w = ignored[i] ? 0.0 : w1[i * firstOut + j] / std[i];
                foldedW1[i][j] = (float) w;
                bias -= w * mean[i];
            }
            foldedB1[j] = (float) bias;
        }
        if (linear) {
            return new Network(new float[][][] {foldedW1}, new float[][] {foldedB1});
        }
        float[][] outW = new float[h][1];
        for (int j = 0; j < h; j++) {
            outW[j][0] = (float) w2[j];
        }
        return new Network(new float[][][] {foldedW1, outW}, new float[][] {foldedB1, {(float) b2[0]}});
    }

    static double sigmoid(double v) {
        return 1.0 / (1.0 + Math.exp(-v));
    }

    private static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
