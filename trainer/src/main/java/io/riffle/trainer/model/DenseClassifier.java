package io.riffle.trainer.model;

import io.riffle.modelops.spec.ModelKind;
import static io.riffle.modelops.onnx.OnnxGraphBuilder.BATCH;

import io.riffle.modelops.onnx.OnnxGraphBuilder;
import io.riffle.modelops.onnx.OnnxGraphs;
import io.riffle.schemas.ModelTask;
import io.riffle.trainer.data.Dataset;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LOGISTIC and MLP: a dense network on standardised inputs with a sigmoid output, trained on
 * class-weighted log-loss; early stopping uses the validation set's log-loss with the same class
 * weights (the objective being minimised: the unweighted loss first rises while the weighted fit
 * lifts the rare class, which stopped small fits after a few steps). Training runs until
 * early stopping's patience runs out; the epoch cap is a safety limit, and the summary says
 * whether the fit converged or was capped.
 *
 * <p>A LOGISTIC window small enough for {@link LogisticNewton} (see {@link LogisticNewton#suits})
 * is fitted by Newton's method instead, on train and validation rows together, to the minimum of
 * scikit-learn's {@code LogisticRegression(C=1)} objective with the same class weights; Adam's
 * settings (max-epochs, patience, batch size, learning rate, l2) do not apply there. Both paths
 * give the same graph.
 *
 * <p>After training, the division by the standard deviation is folded into the first layer
 * ({@code w' = w / std}) and the weights are rounded to float once; the graph keeps the mean
 * as one {@code Sub} before the first Gemm, and {@link #predict} subtracts it in float the same
 * way, so both compute one function of raw features. Folding the mean into the bias as well
 * ({@code b' = b - sum(w' * mean)}) was measured first: with features offset by thousands
 * (amounts, counts) the float Gemm then sums large terms that cancel, and ONNX Runtime moved
 * away from the exact result by up to 1.9e-5, more than the 1e-5 parity gate allows; centring
 * first keeps it at float rounding. Inputs must be finite.
 *
 * <p>With a {@link FeatureMask} that ignores columns, the network is fitted on the used columns
 * only and the graph starts with a {@code Gather} of them; {@link #predict} selects them the same
 * way, so an ignored column is never read.
 */
final class DenseClassifier implements TrainedModel {

    private static final Logger LOG = LoggerFactory.getLogger(DenseClassifier.class);

    /** Cap on the positive-class weight: beyond it, a handful of positives dominate the batches. */
    static final double MAX_POSITIVE_WEIGHT = 50.0;

    private final ModelKind kind;
    private final FeatureMask mask;
    private final float[] mean;
    private final float[][][] weights;
    private final float[][] biases;
    private final boolean converged;
    private final String summary;

    private DenseClassifier(ModelKind kind, FeatureMask mask, float[] mean, float[][][] weights, float[][] biases,
                            boolean converged, String summary) {
        this.kind = kind;
        this.mask = mask;
        this.mean = mean;
        this.weights = weights;
        this.biases = biases;
        this.converged = converged;
        this.summary = summary;
    }

    static DenseClassifier fit(TrainerConfig config, FeatureMask mask, Dataset fullTrain, Dataset fullValidation,
                               ProgressListener progress) {
        return fit(config, mask, fullTrain, fullValidation, progress, true);
    }

    /**
     * As above; {@code secondOrder} false keeps a LOGISTIC fit on Adam whatever the window's size
     * (tests of that path use it).
     */
    static DenseClassifier fit(TrainerConfig config, FeatureMask mask, Dataset fullTrain, Dataset fullValidation,
                               ProgressListener progress, boolean secondOrder) {
        String name = config.kind().id();
        Dataset train = mask.project(fullTrain);
        Dataset validation = mask.project(fullValidation);
        boolean newton = secondOrder && config.kind() == ModelKind.LOGISTIC
                && LogisticNewton.suits((long) train.rows() + validation.rows(), train.features());
        if (newton) {
            // Its penalty, not early stopping, keeps it from over-fitting: it fits the validation rows too.
            train = Dataset.concat(train, validation);
        }
        long positives = train.positives();
        long negatives = train.rows() - positives;
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException(name + " needs both classes in the training set, got "
                    + positives + " positives and " + negatives + " negatives");
        }
        Standardizer standardizer = Standardizer.fit(train, name);
        Standardizer.requireFinite(validation, name, "validation");
        int d = train.features();
        int[] sizes = layerSizes(d, config.kind() == ModelKind.LOGISTIC ? java.util.List.of() : config.hiddenLayers(), 1);
        DenseNetwork net = new DenseNetwork(sizes, new SplittableRandom(config.seed()));
        double positiveWeight = config.classWeighting()
                ? Math.min(MAX_POSITIVE_WEIGHT, (double) negatives / positives) : 1.0;
        // Start at the weighted prior's log-odds, so early epochs learn features, not the base rate.
        double prior = Math.log(positiveWeight * positives / negatives);
        net.biases[net.layers() - 1][0] = prior;

        long start = System.nanoTime();
        String how;
        boolean converged;
        if (newton) {
            LogisticNewton.Result result = LogisticNewton.fit(standardizer, train, positiveWeight, prior, progress);
            System.arraycopy(result.weights(), 0, net.weights[0], 0, d);
            net.biases[0][0] = result.intercept();
            converged = result.converged();
            how = String.format(Locale.ROOT, "%s on %d rows (train and validation), penalised weighted log-loss %.4f",
                    result.describe(), train.rows(), result.meanObjective());
            if (!converged) {
                LOG.warn("{}: Newton's method ended without meeting its tolerance ({})", name, result.describe());
            }
        } else {
            double[] delta = new double[config.batchSize()];
            int[] trainLabels = train.labels();
            int[] validationLabels = validation.labels();
            DenseTraining.BatchLoss trainLoss = (z, ids, from, count, gradient) -> DenseLosses.binary(
                    net, z, count, trainLabels, ids, from, positiveWeight, config.l2(), gradient, delta);
            DenseTraining.BatchLoss validationLoss = (z, ids, from, count, gradient) -> DenseLosses.binary(
                    net, z, count, validationLabels, ids, from, positiveWeight, 0.0, false, delta);
            DenseTraining.Outcome outcome = DenseTraining.run(
                    net, config, standardizer, train, trainLoss, validation, validationLoss, progress);
            converged = outcome.converged();
            how = String.format(Locale.ROOT, "%s, val loss %.4f", outcome.describe(), outcome.bestValidationLoss());
            warnIfCapped(LOG, name, outcome);
        }

        float[][][] w = new float[net.layers()][][];
        float[][] b = new float[net.layers()][];
        for (int l = 0; l < net.layers(); l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            w[l] = new float[in][out];
            b[l] = new float[out];
            for (int j = 0; j < out; j++) {
                double bias = net.biases[l][j];
                for (int i = 0; i < in; i++) {
                    double wij = net.weights[l][i * out + j];
                    if (l == 0) {
                        wij /= standardizer.std[i];
                    }
                    w[l][i][j] = (float) wij;
                }
                b[l][j] = (float) bias;
            }
        }
        String summary = String.format(Locale.ROOT, "%s %s%s, %s, positive weight %.1f",
                name, shape(sizes), ignoring(mask), how, positiveWeight);
        LOG.info("fitted {} on {} rows in {} ms", summary, train.rows(), (System.nanoTime() - start) / 1_000_000);
        float[] mean = new float[d];
        for (int i = 0; i < d; i++) {
            mean[i] = (float) standardizer.mean[i];
        }
        return new DenseClassifier(config.kind(), mask, mean, w, b, converged, summary);
    }

    /** Warns when early stopping was on but the epoch cap came first: more epochs would have helped. */
    static void warnIfCapped(Logger log, String name, DenseTraining.Outcome outcome) {
        if (outcome.end() == DenseTraining.End.CAPPED) {
            log.warn("{} hit its cap of {} epochs while its validation loss was still improving (best epoch {}):"
                    + " raise max-epochs", name, outcome.epochs(), outcome.bestEpoch());
        }
    }

    static int[] layerSizes(int inputs, java.util.List<Integer> hidden, int outputs) {
        int[] sizes = new int[hidden.size() + 2];
        sizes[0] = inputs;
        for (int k = 0; k < hidden.size(); k++) {
            sizes[k + 1] = hidden.get(k);
        }
        sizes[sizes.length - 1] = outputs;
        return sizes;
    }

    /** {@code " (3 of 46 features ignored)"} when the mask ignores some, else empty. */
    static String ignoring(FeatureMask mask) {
        return mask.ignoresAny() ? " (" + (mask.features() - mask.used()) + " of " + mask.features()
                + " features ignored)" : "";
    }

    static String shape(int[] sizes) {
        StringJoiner j = new StringJoiner("-");
        for (int s : sizes) {
            j.add(Integer.toString(s));
        }
        return j.toString();
    }

    @Override
    public ModelKind kind() {
        return kind;
    }

    @Override
    public ModelTask task() {
        return ModelTask.BINARY;
    }

    @Override
    public int features() {
        return mask.features();
    }

    @Override
    public float[] predict(Dataset data) {
        requireFeatures(data, features());
        Dataset used = mask.project(data);
        int d = used.features();
        float[] x = used.x();
        double[] centred = new double[x.length];
        for (int k = 0; k < x.length; k++) {
            // Float subtraction, exactly as the graph's Sub computes it.
            centred[k] = x[k] - mean[k % d];
        }
        float[] scores = new float[data.rows()];
        double[] logits = FoldedNetwork.forward(weights, biases, centred, data.rows());
        for (int r = 0; r < scores.length; r++) {
            scores[r] = (float) DenseLosses.sigmoid(logits[r]);
        }
        return scores;
    }

    @Override
    public byte[] toOnnx() {
        int d = mask.used();
        OnnxGraphBuilder g = new OnnxGraphBuilder("riffle_" + kind.id());
        String x = mask.input(g);
        String centred = g.op("Sub", x, g.floats("mean", mean, d));
        String logit = FoldedNetwork.gemmChain(g, centred, weights, biases);
        g.output(g.op("Sigmoid", logit), OnnxGraphs.OUTPUT, BATCH, 1);
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

    static void requireFeatures(Dataset data, int features) {
        if (data.features() != features) {
            throw new IllegalArgumentException("the model takes " + features + " features, the data has "
                    + data.features());
        }
    }
}
