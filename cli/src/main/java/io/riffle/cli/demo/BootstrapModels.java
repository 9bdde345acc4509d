package io.riffle.cli.demo;

import io.riffle.modelops.features.EntityStats;
import io.riffle.modelops.features.TransactionFeatures;
import io.riffle.modelops.onnx.OnnxGraphs;
import io.riffle.modelops.onnx.OutputActivation;
import io.riffle.modelops.registry.ModelVersions;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.TrainingWindow;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's two starting models, fitted in a second or two on payments from
 * {@link TransactionGenerator}, so the demo detects its own fraud from the first event:
 * <ul>
 *   <li>{@value #CLASSIFIER} (BINARY): a 16-16-1 network (ReLU hidden layer, sigmoid output)
 *       fitted by {@link LogisticFit} with balanced class weights, exported with
 *       {@link OnnxGraphs#denseNetwork}; standardisation is folded into its first layer;</li>
 *   <li>{@value #ANOMALY} (ANOMALY): a diagonal Gaussian of the genuine payments' features,
 *       {@code score = d2 / (d2 + scale)} with {@code scale} the median d2 of genuine rows
 *       ({@link OnnxGraphs#gaussianAnomaly}).</li>
 * </ul>
 * Both ignore the hour-of-day features: the generator has no daily cycle, and a model fitted on a
 * few generated minutes would read meaning into whatever hour the demo runs at. The anomaly model
 * also ignores {@code first_card_event}, which is 1 for every card's first payment and would
 * flag the whole start of the demo.
 *
 * <p>Versions carry the spec hash and names of {@link TransactionFeatures}, thresholds chosen
 * on the training data, a training window, and metrics: {@code train_auc} (training rows),
 * {@code holdout_auc} (the next {@code examples / 4} generated events, never trained on),
 * {@code positive_rate}, and held-out recall / false-positive rate at both thresholds.
 */
public final class BootstrapModels {

    public static final String CLASSIFIER = "fraud";
    public static final String ANOMALY = "anomaly";

    /**
     * Balanced class weights make 0.5 the point where a fraud and a genuine payment are equally
     * likely to be mistaken, so it is the review threshold; block asks for much more certainty.
     */
    static final double CLASSIFIER_REVIEW = 0.5;
    static final double CLASSIFIER_BLOCK = 0.9;
    /** Anomaly thresholds: these quantiles of the genuine training payments' scores. */
    static final double ANOMALY_REVIEW_QUANTILE = 0.99;
    static final double ANOMALY_BLOCK_QUANTILE = 0.999;

    private static final int HOUR_SIN = TransactionFeatures.NAMES.indexOf("hour_sin");
    private static final int HOUR_COS = TransactionFeatures.NAMES.indexOf("hour_cos");
    private static final int FIRST_CARD_EVENT = TransactionFeatures.NAMES.indexOf("first_card_event");
    /** Standard deviation given to an ignored feature: its share of d2 stays below 1e-8. */
    private static final float IGNORED_STD = 1e4f;
    private static final float MIN_STD = 1e-3f;

    private BootstrapModels() {}

    /**
     * {@code [fraud v1 (BINARY), anomaly v1 (ANOMALY)]} fitted on {@code examples} events of a
     * stream shaped like the demo's ({@link LabeledExamples#DEFAULT_CARDS} cards at
     * {@link LabeledExamples#DEFAULT_EVENTS_PER_SECOND} events/s).
     */
    public static List<ModelVersion> fit(long seed, int examples) {
        return fit(seed, examples, LabeledExamples.DEFAULT_CARDS, LabeledExamples.DEFAULT_EVENTS_PER_SECOND);
    }

    /** As {@link #fit(long, int)} on a stream of {@code cards} cards at {@code eventsPerSecond}. */
    public static List<ModelVersion> fit(long seed, int examples, int cards, double eventsPerSecond) {
        Split split = Split.generate(seed, examples, cards, eventsPerSecond);
        return List.of(classifier(split, seed, 1), anomaly(split));
    }

    /**
     * Another version of the classifier, fitted on a fresh stream from {@code seed} (pass a
     * different seed from {@link #fit}'s to get a genuinely different model); its parent is
     * {@code version - 1}.
     */
    public static ModelVersion refitClassifier(long seed, int examples, int version) {
        return refitClassifier(seed, examples, version, LabeledExamples.DEFAULT_CARDS,
                LabeledExamples.DEFAULT_EVENTS_PER_SECOND);
    }

    /** As {@link #refitClassifier(long, int, int)} on a stream of {@code cards} cards at {@code eventsPerSecond}. */
    public static ModelVersion refitClassifier(long seed, int examples, int version, int cards,
                                               double eventsPerSecond) {
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, got " + version);
        }
        return classifier(Split.generate(seed, examples, cards, eventsPerSecond), seed, version);
    }

    /**
     * A classifier version fitted on {@code train} (e.g. a window of examples that spans the
     * demo's drift, from {@link LabeledExamples#generateWithDrift}) exactly as the bootstrap
     * classifier is fitted, with metrics measured on {@code holdout}; its parent is
     * {@code version - 1}. Both sets must contain fraud and genuine payments.
     */
    public static ModelVersion fitClassifier(LabeledExamples train, LabeledExamples holdout, long seed, int version) {
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, got " + version);
        }
        return classifier(new Split(train, holdout), seed, version);
    }

    private static ModelVersion classifier(Split split, long seed, int version) {
        boolean[] ignored = new boolean[TransactionFeatures.COUNT];
        ignored[HOUR_SIN] = true;
        ignored[HOUR_COS] = true;
        LogisticFit.Network network = LogisticFit.fit(split.train.features(), split.train.labels(),
                LogisticFit.Settings.defaults(seed).withIgnored(ignored));
        byte[] onnx = OnnxGraphs.denseNetwork(network.weights(), network.biases(), OutputActivation.SIGMOID);

        double[] trainScores = scores(network, split.train);
        double[] holdoutScores = scores(network, split.holdout);
        Map<String, Double> metrics = new HashMap<>();
        metrics.put("train_auc", RocAuc.of(trainScores, split.train.labels()));
        metrics.put("holdout_auc", RocAuc.of(holdoutScores, split.holdout.labels()));
        metrics.put("positive_rate", split.train.positiveRate());
        putRates(metrics, holdoutScores, split.holdout.labels(), CLASSIFIER_REVIEW, CLASSIFIER_BLOCK);

        ModelVersion base = ModelVersions.fromOnnx(onnx, CLASSIFIER, version, ModelTask.BINARY, TransactionFeatures.COUNT);
        return finish(base, split, CLASSIFIER_REVIEW, CLASSIFIER_BLOCK, metrics, version > 1 ? version - 1 : null);
    }

    private static ModelVersion anomaly(Split split) {
        int d = TransactionFeatures.COUNT;
        float[][] x = split.train.features();
        boolean[] y = split.train.labels();
        double[] sum = new double[d];
        double[] sumSq = new double[d];
        int normals = 0;
        for (int r = 0; r < x.length; r++) {
            if (y[r]) {
                continue;
            }
            normals++;
            for (int i = 0; i < d; i++) {
                sum[i] += x[r][i];
                sumSq[i] += (double) x[r][i] * x[r][i];
            }
        }
        float[] mean = new float[d];
        float[] std = new float[d];
        for (int i = 0; i < d; i++) {
            double m = sum[i] / normals;
            mean[i] = (float) m;
            std[i] = (float) Math.max(Math.sqrt(Math.max(0, sumSq[i] / normals - m * m)), MIN_STD);
        }
        for (int ignored : new int[] {HOUR_SIN, HOUR_COS, FIRST_CARD_EVENT}) {
            mean[ignored] = 0f;
            std[ignored] = IGNORED_STD;
        }

        double[] normalD2 = new double[normals];
        int k = 0;
        for (int r = 0; r < x.length; r++) {
            if (!y[r]) {
                normalD2[k++] = d2(x[r], mean, std);
            }
        }
        Arrays.sort(normalD2);
        float scale = (float) Math.max(normalD2[normals / 2], 1e-6);
        byte[] onnx = OnnxGraphs.gaussianAnomaly(mean, std, scale);

        double[] normalScores = new double[normals];
        for (int i = 0; i < normals; i++) {
            normalScores[i] = normalD2[i] / (normalD2[i] + scale);
        }
        double review = quantileOfSorted(normalScores, ANOMALY_REVIEW_QUANTILE);
        double block = quantileOfSorted(normalScores, ANOMALY_BLOCK_QUANTILE);

        double[] trainScores = anomalyScores(split.train, mean, std, scale);
        double[] holdoutScores = anomalyScores(split.holdout, mean, std, scale);
        Map<String, Double> metrics = new HashMap<>();
        metrics.put("train_auc", RocAuc.of(trainScores, split.train.labels()));
        metrics.put("holdout_auc", RocAuc.of(holdoutScores, split.holdout.labels()));
        metrics.put("positive_rate", split.train.positiveRate());
        metrics.put("scale", (double) scale);
        putRates(metrics, holdoutScores, split.holdout.labels(), review, block);

        ModelVersion base = ModelVersions.fromOnnx(onnx, ANOMALY, 1, ModelTask.ANOMALY, d);
        return finish(base, split, review, block, metrics, null);
    }

    private static ModelVersion finish(ModelVersion base, Split split, double review, double block,
                                       Map<String, Double> metrics, Integer parentVersion) {
        return ModelVersion.newBuilder(base)
                .setFeatureSpecHash(TransactionFeatures.SPEC_HASH)
                .setFeatureNames(TransactionFeatures.NAMES)
                .setReviewThreshold(review)
                .setBlockThreshold(block)
                .setMetrics(metrics)
                .setTrainingWindow(new TrainingWindow(split.train.firstEventTime(), split.train.lastEventTime(),
                        (long) split.train.size(), split.train.positiveRate()))
                .setParentVersion(parentVersion)
                .build();
    }

    /** Held-out recall and false-positive rate at the review and block thresholds. */
    private static void putRates(Map<String, Double> metrics, double[] scores, boolean[] labels,
                                 double review, double block) {
        long positives = 0;
        long reviewHits = 0;
        long blockHits = 0;
        long reviewFalse = 0;
        long blockFalse = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean r = scores[i] >= review;
            boolean b = scores[i] >= block;
            if (labels[i]) {
                positives++;
                reviewHits += r ? 1 : 0;
                blockHits += b ? 1 : 0;
            } else {
                reviewFalse += r ? 1 : 0;
                blockFalse += b ? 1 : 0;
            }
        }
        long negatives = scores.length - positives;
        metrics.put("holdout_recall_at_review", positives == 0 ? Double.NaN : (double) reviewHits / positives);
        metrics.put("holdout_recall_at_block", positives == 0 ? Double.NaN : (double) blockHits / positives);
        metrics.put("holdout_fpr_at_review", negatives == 0 ? Double.NaN : (double) reviewFalse / negatives);
        metrics.put("holdout_fpr_at_block", negatives == 0 ? Double.NaN : (double) blockFalse / negatives);
    }

    private static double[] scores(LogisticFit.Network network, LabeledExamples examples) {
        double[] out = new double[examples.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = network.score(examples.features()[i]);
        }
        return out;
    }

    private static double[] anomalyScores(LabeledExamples examples, float[] mean, float[] std, float scale) {
        double[] out = new double[examples.size()];
        for (int i = 0; i < out.length; i++) {
            double v = d2(examples.features()[i], mean, std);
            out[i] = v / (v + scale);
        }
        return out;
    }

    private static double d2(float[] x, float[] mean, float[] std) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            double z = (x[i] - mean[i]) / std[i];
            s += z * z;
        }
        return s;
    }

    private static double quantileOfSorted(double[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
    }

    /** Training rows, then the next quarter as many events of the same stream held out. */
    private record Split(LabeledExamples train, LabeledExamples holdout) {
        static Split generate(long seed, int examples, int cards, double eventsPerSecond) {
            if (examples < 1_000) {
                throw new IllegalArgumentException("need at least 1000 examples, got " + examples);
            }
            TransactionGenerator generator = new TransactionGenerator(seed, cards);
            Map<String, EntityStats> stats = new HashMap<>();
            LabeledExamples train = LabeledExamples.generate(generator, seed, examples, eventsPerSecond,
                    LabeledExamples.DEFAULT_START_MS, stats);
            LabeledExamples holdout = LabeledExamples.generate(generator, seed + 1, Math.max(1_000, examples / 4),
                    eventsPerSecond, train.lastEventTime(), stats);
            return new Split(train, holdout);
        }
    }
}
