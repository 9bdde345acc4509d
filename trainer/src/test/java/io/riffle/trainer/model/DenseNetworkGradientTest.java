package io.riffle.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Back-propagation against central finite differences of the same loss, parameter by parameter. */
class DenseNetworkGradientTest {

    private static final double H = 1e-6;
    private static final int ROWS = 5;

    @Test
    void binaryLossGradientsMatchFiniteDifferences() {
        DenseNetwork net = new DenseNetwork(new int[] {3, 4, 3, 1}, new SplittableRandom(7));
        double[] input = randomInput(ROWS * 3, 11);
        int[] labels = {1, 0, 0, 1, 0};
        int[] ids = DenseTraining.identity(ROWS);
        double[] delta = new double[ROWS];
        // A positive weight and L2 both enter the gradient, so both are checked.
        DenseLossFunction loss = gradient -> DenseLosses.binary(net, input, ROWS, labels, ids, 0, 3.0, 0.01, gradient, delta);
        checkGradients(net, loss);
    }

    @Test
    void reconstructionLossGradientsMatchFiniteDifferences() {
        DenseNetwork net = new DenseNetwork(new int[] {4, 3, 2, 3, 4}, new SplittableRandom(3));
        double[] input = randomInput(ROWS * 4, 5);
        double[] delta = new double[ROWS * 4];
        DenseLossFunction loss = gradient -> DenseLosses.reconstruction(net, input, ROWS, 0.02, gradient, delta);
        checkGradients(net, loss);
    }

    @Test
    void logisticNetworkWithoutHiddenLayerMatchesToo() {
        DenseNetwork net = new DenseNetwork(new int[] {6, 1}, new SplittableRandom(1));
        double[] input = randomInput(ROWS * 6, 2);
        int[] labels = {0, 1, 1, 0, 0};
        int[] ids = DenseTraining.identity(ROWS);
        double[] delta = new double[ROWS];
        checkGradients(net, gradient -> DenseLosses.binary(net, input, ROWS, labels, ids, 0, 1.0, 0.0, gradient, delta));
    }

    private interface DenseLossFunction {
        double loss(boolean gradient);
    }

    private static void checkGradients(DenseNetwork net, DenseLossFunction f) {
        // Zero biases put a row whose inputs are all 0 exactly on a ReLU kink, where finite
        // differences see half the slope; a generic point has no kinks within H.
        SplittableRandom random = new SplittableRandom(99);
        for (double[] b : net.biases) {
            for (int j = 0; j < b.length; j++) {
                b[j] = 0.1 + 0.2 * random.nextGaussian();
            }
        }
        f.loss(true);
        double[][] params = net.parameters();
        double[][] grads = net.gradients();
        double[][] analytic = new double[grads.length][];
        for (int p = 0; p < grads.length; p++) {
            analytic[p] = grads[p].clone();
        }
        int checked = 0;
        for (int p = 0; p < params.length; p++) {
            for (int k = 0; k < params[p].length; k++) {
                double saved = params[p][k];
                params[p][k] = saved + H;
                double plus = f.loss(false);
                params[p][k] = saved - H;
                double minus = f.loss(false);
                params[p][k] = saved;
                double numeric = (plus - minus) / (2 * H);
                double a = analytic[p][k];
                double scale = Math.max(Math.abs(a) + Math.abs(numeric), 1e-7);
                assertThat(Math.abs(a - numeric) / scale)
                        .as("parameter array %d index %d: analytic %s vs numeric %s", p, k, a, numeric)
                        .isLessThan(1e-4);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(5);
    }

    private static double[] randomInput(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextGaussian();
        }
        return x;
    }
}
