package io.riffle.trainer.model;

/** The dense kinds' objectives: forward pass, loss, and (optionally) gradients in the network. */
final class DenseLosses {

    private DenseLosses() {}

    /**
     * Class-weighted log-loss of a network with one linear output (the logit):
     * {@code sum_r w_r * bce(logit_r, y_r) / sum_r w_r + 0.5 * l2 * |W|^2}, with
     * {@code w_r = positiveWeight} for positives and 1 for negatives. The label of batch row
     * {@code k} is {@code labels[rowIds[from + k]]}.
     */
    static double binary(DenseNetwork net, double[] input, int rows, int[] labels, int[] rowIds, int from,
                         double positiveWeight, double l2, boolean gradient, double[] delta) {
        double[] logits = net.forward(input, rows);
        double loss = 0;
        double weightSum = 0;
        for (int k = 0; k < rows; k++) {
            int y = labels[rowIds[from + k]];
            double w = y == 1 ? positiveWeight : 1.0;
            double z = logits[k];
            // log(1 + e^-|z|) form: finite for any logit.
            loss += w * (Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z))));
            weightSum += w;
            if (gradient) {
                delta[k] = w * (sigmoid(z) - y);
            }
        }
        double inv = 1.0 / weightSum;
        if (gradient) {
            for (int k = 0; k < rows; k++) {
                delta[k] *= inv;
            }
            net.backward(delta, rows, l2);
        }
        return loss * inv + net.l2Penalty(l2);
    }

    /**
     * Mean squared reconstruction error over rows and features of an autoencoder whose target is
     * its (standardised) input, plus {@code 0.5 * l2 * |W|^2}.
     */
    static double reconstruction(DenseNetwork net, double[] input, int rows, double l2, boolean gradient,
                                 double[] delta) {
        double[] out = net.forward(input, rows);
        int n = rows * net.outputs();
        double loss = 0;
        double scale = 2.0 / n;
        for (int k = 0; k < n; k++) {
            double diff = out[k] - input[k];
            loss += diff * diff;
            if (gradient) {
                delta[k] = scale * diff;
            }
        }
        if (gradient) {
            net.backward(delta, rows, l2);
        }
        return loss / n + net.l2Penalty(l2);
    }

    static double sigmoid(double v) {
        return 1.0 / (1.0 + Math.exp(-v));
    }
}
