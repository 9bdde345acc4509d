package io.riffle.trainer.model;

import io.riffle.modelops.spec.ModelKind;
import static io.riffle.modelops.onnx.OnnxGraphBuilder.BATCH;

import io.riffle.modelops.onnx.OnnxGraphBuilder;
import io.riffle.modelops.onnx.OnnxGraphs;
import io.riffle.schemas.ModelTask;
import io.riffle.trainer.data.Dataset;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AUTOENCODER: a dense autoencoder (ReLU hidden layers, linear output) trained on the negatives
 * only, to reconstruct their standardised feature vectors. A row's anomaly score is its
 * reconstruction error {@code e = mean_i (recon_i - z_i)^2} over standardised features, mapped to
 * [0, 1] by the training negatives' error distribution:
 *
 * <pre>
 *   score(e) = clip(sum_k dp_k * clip((e - q_k) / (q_{k+1} - q_k), 0, 1), 0, 1)
 * </pre>
 *
 * where {@code q_k} are the errors at the quantile levels {@link #LEVELS} (duplicates merged)
 * and {@code dp_k} the level steps. That is the linear interpolation of the empirical CDF
 * through those knots: 0 at or below the smallest training error, 1 at or above the largest,
 * and about the share of normal training rows reconstructed better elsewhere. The levels are
 * dense in the upper tail, where anomalies are told apart.
 *
 * <p>The graph casts the input to double and computes everything in double (Cast, Sub, Div,
 * Gemm, Relu, Mul, ReduceMean, Clip, ReduceSum, then Cast back to float), as {@link #predict}
 * does. In float, ONNX Runtime's rounding of {@code e} is multiplied by the slope of the CDF
 * (the density of normal errors, large where they crowd), which was measured at up to 5e-6 of
 * score difference; in double the two agree to the final float rounding. Every one of those
 * operators has a double kernel on the CUDA provider too. Inputs must be finite.
 *
 * <p>With a {@link FeatureMask} that ignores columns, the autoencoder reconstructs the used
 * columns only (the error is their mean), and the graph starts with a {@code Gather} of them, so
 * an ignored column is never read: it neither feeds the network nor adds to the error.
 */
final class Autoencoder implements TrainedModel {

    private static final Logger LOG = LoggerFactory.getLogger(Autoencoder.class);

    /** Quantile levels of the calibration knots (33 levels, finer towards 1). */
    static final double[] LEVELS = {
        0.0, 0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70,
        0.75, 0.80, 0.85, 0.90, 0.925, 0.95, 0.96, 0.97, 0.975, 0.98, 0.985, 0.99, 0.9925, 0.995,
        0.9975, 0.999, 0.9995, 1.0};

    /** ONNX TensorProto data type codes for Cast. */
    private static final long ONNX_FLOAT = 1L;
    private static final long ONNX_DOUBLE = 11L;

    private final FeatureMask mask;
    private final double[] mean;
    private final double[] std;
    private final double[][] weights;
    private final double[][] biases;
    // Segment k runs from knots[k] to knots[k] + widths[k] and adds up to steps[k] to the score.
    private final double[] knots;
    private final double[] widths;
    private final double[] steps;
    private final boolean converged;
    private final String summary;

    private Autoencoder(FeatureMask mask, double[] mean, double[] std, double[][] weights, double[][] biases,
                        double[][] calibration, boolean converged, String summary) {
        this.mask = mask;
        this.mean = mean;
        this.std = std;
        this.weights = weights;
        this.biases = biases;
        this.knots = calibration[0];
        this.widths = calibration[1];
        this.steps = calibration[2];
        this.converged = converged;
        this.summary = summary;
    }

    static Autoencoder fit(TrainerConfig config, FeatureMask mask, Dataset train, Dataset validation,
                           ProgressListener progress) {
        String name = config.kind().id();
        Dataset normalTrain = mask.project(train.withLabel(0));
        Dataset normalValidation = mask.project(validation.withLabel(0));
        if (normalTrain.rows() < 2) {
            throw new IllegalArgumentException(name + " trains on negatives (label 0), but the training set has "
                    + normalTrain.rows());
        }
        Standardizer standardizer = Standardizer.fit(normalTrain, name);
        Standardizer.requireFinite(normalValidation, name, "validation");
        int d = normalTrain.features();
        int[] sizes = DenseClassifier.layerSizes(d, config.hiddenLayers(), d);
        DenseNetwork net = new DenseNetwork(sizes, new SplittableRandom(config.seed()));
        double[] delta = new double[config.batchSize() * d];
        DenseTraining.BatchLoss trainLoss = (z, ids, from, count, gradient) ->
                DenseLosses.reconstruction(net, z, count, config.l2(), gradient, delta);
        DenseTraining.BatchLoss validationLoss = (z, ids, from, count, gradient) ->
                DenseLosses.reconstruction(net, z, count, 0.0, false, delta);
        long start = System.nanoTime();
        DenseTraining.Outcome outcome = DenseTraining.run(net, config, standardizer, normalTrain, trainLoss,
                normalValidation, validationLoss, progress);

        double[][] w = new double[net.layers()][];
        double[][] b = new double[net.layers()][];
        for (int l = 0; l < net.layers(); l++) {
            w[l] = net.weights[l].clone();
            b[l] = net.biases[l].clone();
        }
        double[] m = standardizer.mean.clone();
        double[] s = standardizer.std.clone();
        double[] errors = reconstructionErrors(m, s, w, b, normalTrain);
        Arrays.sort(errors);
        double[][] calibration = calibration(errors);
        String summary = String.format(Locale.ROOT,
                "%s %s%s, %s, val mse %.4f, calibrated on %d negatives (median error %.4f)",
                name, DenseClassifier.shape(sizes), DenseClassifier.ignoring(mask), outcome.describe(),
                outcome.bestValidationLoss(), errors.length, errors[errors.length / 2]);
        LOG.info("fitted {} in {} ms", summary, (System.nanoTime() - start) / 1_000_000);
        DenseClassifier.warnIfCapped(LOG, name, outcome);
        return new Autoencoder(mask, m, s, w, b, calibration, outcome.converged(), summary);
    }

    /** {knots, widths, steps} from sorted errors; consecutive equal knots are merged. */
    static double[][] calibration(double[] sortedErrors) {
        int n = sortedErrors.length;
        double[] q = new double[LEVELS.length];
        double[] p = new double[LEVELS.length];
        int kept = 0;
        for (double level : LEVELS) {
            // Nearest-rank quantile: the error below which a share `level` of rows lies.
            double value = sortedErrors[(int) Math.round(level * (n - 1))];
            if (kept > 0 && value <= q[kept - 1]) {
                p[kept - 1] = level; // a jump in the CDF: the step ends at the higher level
            } else {
                q[kept] = value;
                p[kept] = level;
                kept++;
            }
        }
        if (kept == 1) {
            // Every training error equal: a steep ramp just above it stands in for the jump.
            q[1] = q[0] + Math.max(Math.abs(q[0]) * 1e-3, 1e-9);
            p[0] = 0.0;
            p[1] = 1.0;
            kept = 2;
        }
        double[] knots = new double[kept - 1];
        double[] widths = new double[kept - 1];
        double[] steps = new double[kept - 1];
        for (int k = 0; k < kept - 1; k++) {
            knots[k] = q[k];
            widths[k] = q[k + 1] - q[k];
            steps[k] = p[k + 1] - p[k];
        }
        // Levels start at 0, so the first knot's level is 0 and the steps sum to 1.
        return new double[][] {knots, widths, steps};
    }

    private static double[] reconstructionErrors(double[] mean, double[] std, double[][] w, double[][] b, Dataset data) {
        int n = data.rows();
        int d = data.features();
        double[] errors = new double[n];
        int chunk = 4096;
        double[] z = new double[chunk * d];
        for (int from = 0; from < n; from += chunk) {
            int rows = Math.min(chunk, n - from);
            standardise(data.x(), from, rows, d, mean, std, z);
            double[] out = FoldedNetwork.forward(w, b, z, rows);
            for (int r = 0; r < rows; r++) {
                errors[from + r] = squaredError(z, out, r, d);
            }
        }
        return errors;
    }

    private static void standardise(float[] x, int fromRow, int rows, int d, double[] mean, double[] std, double[] z) {
        for (int r = 0; r < rows; r++) {
            int src = (fromRow + r) * d;
            for (int i = 0; i < d; i++) {
                z[r * d + i] = (x[src + i] - mean[i]) / std[i];
            }
        }
    }

    private static double squaredError(double[] z, double[] out, int r, int d) {
        double sum = 0;
        for (int i = 0; i < d; i++) {
            double diff = out[r * d + i] - z[r * d + i];
            sum += diff * diff;
        }
        return sum / d;
    }

    double calibrate(double error) {
        double score = 0;
        for (int k = 0; k < knots.length; k++) {
            double t = (error - knots[k]) / widths[k];
            score += steps[k] * Math.min(1.0, Math.max(0.0, t));
        }
        return Math.min(1.0, Math.max(0.0, score));
    }

    @Override
    public ModelKind kind() {
        return ModelKind.AUTOENCODER;
    }

    @Override
    public ModelTask task() {
        return ModelTask.ANOMALY;
    }

    @Override
    public int features() {
        return mask.features();
    }

    @Override
    public float[] predict(Dataset data) {
        DenseClassifier.requireFeatures(data, features());
        Dataset used = mask.project(data);
        int n = used.rows();
        int d = used.features();
        float[] scores = new float[n];
        int chunk = 4096;
        double[] z = new double[chunk * d];
        for (int from = 0; from < n; from += chunk) {
            int rows = Math.min(chunk, n - from);
            standardise(used.x(), from, rows, d, mean, std, z);
            double[] out = FoldedNetwork.forward(weights, biases, z, rows);
            for (int r = 0; r < rows; r++) {
                scores[from + r] = (float) calibrate(squaredError(z, out, r, d));
            }
        }
        return scores;
    }

    @Override
    public byte[] toOnnx() {
        int d = mask.used();
        OnnxGraphBuilder g = new OnnxGraphBuilder("riffle_autoencoder");
        String x = g.op("Cast", Map.of("to", ONNX_DOUBLE), mask.input(g));
        String z = g.op("Div", g.op("Sub", x, g.doubles("mean", mean, d)), g.doubles("std", std, d));
        String reconstruction = FoldedNetwork.gemmChain(g, z, weights, biases);
        String diff = g.op("Sub", reconstruction, z);
        // ReduceMean still takes axes as an attribute at opset 17.
        String error = g.op("ReduceMean", Map.of("axes", new long[] {1}, "keepdims", 1L), g.op("Mul", diff, diff));
        int k = knots.length;
        String ramp = g.op("Div", g.op("Sub", error, g.doubles("knots", knots, k)), g.doubles("widths", widths, k));
        String zero = g.doubles("zero", new double[] {0.0});
        String one = g.doubles("one", new double[] {1.0});
        String weighted = g.op("Mul", g.op("Clip", ramp, zero, one), g.doubles("steps", steps, k));
        String sum = g.op("ReduceSum", Map.of("keepdims", 1L), weighted, g.longs("axes", new long[] {1}, 1));
        // The steps sum to 1 up to rounding; the outer Clip keeps the score inside [0, 1].
        String score = g.op("Cast", Map.of("to", ONNX_FLOAT), g.op("Clip", sum, zero, one));
        g.output(score, OnnxGraphs.OUTPUT, BATCH, 1);
        return g.build();
    }

    @Override
    public boolean converged() {
        return converged;
    }

    @Override
    public String summary() {
        return summary;
    }
}
