package io.riffle.cli.demo;

import io.riffle.modelops.features.EntityFeatureState;
import io.riffle.modelops.features.FeatureExtractor;
import io.riffle.modelops.onnx.OnnxGraphs;
import io.riffle.modelops.registry.ModelVersions;
import io.riffle.modelops.spec.FeatureSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.TrainingWindow;
import io.riffle.trainer.data.Dataset;
import io.riffle.modelops.registry.ScoreHistogram;
import io.riffle.trainer.model.FeatureMask;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.trainer.model.ModelTrainer;
import io.riffle.trainer.model.TrainedModel;
import io.riffle.trainer.model.TrainerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's two starting models, fitted in a second or two on payments from
 * {@link TransactionGenerator} whose features the pipeline file computes, so the demo detects its
 * own fraud from the first event:
 * <ul>
 *   <li>{@value #CLASSIFIER} (BINARY): a d-16-1 network (ReLU hidden layer, sigmoid output)
 *       fitted with class weights by the trainer's own MLP ({@link ModelTrainer},
 *       {@link #classifierConfig}) and exported by it; standardisation is folded into the graph;</li>
 *   <li>{@value #ANOMALY} (ANOMALY): a diagonal Gaussian of the genuine payments' features,
 *       {@code score = d2 / (d2 + scale)} with {@code scale} the median d2 of genuine rows
 *       ({@link OnnxGraphs#gaussianAnomaly}).</li>
 * </ul>
 * The training rows are what the scoring job would compute: the generated {@link
 * io.riffle.schemas.Transaction}s of {@code examples} events (about 2 minutes at the demo's
 * rate) in event-time order through the pipeline's {@link FeatureExtractor}, one
 * {@link io.riffle.modelops.features.EntityFeatureState} per card, starting empty as the demo's
 * job does ({@link LabeledExamples}).
 *
 * <p><b>Features left out.</b> Both models take the whole vector but learn only from the features
 * {@link LearnableFeatures} keeps (the others get zero weight in the classifier and no share of
 * d2 in the anomaly model): with {@code pipelines/demo.yaml} that leaves out {@code hour_sin} and
 * {@code hour_cos} (no daily cycle in the generator), features constant in the training rows
 * ({@code channel_MOBILE}, {@code channel_other}, hash buckets no generated value falls in), every
 * aggregate over 1h or 24h and the ratio to the 24h mean (over a 2-minute stream those windows
 * hold everything since the stream began, so they grow with the demo's age instead of
 * describing the card), and {@code time_since_previous} (its 24h cap on a card's first event
 * makes it a "first payment" flag whose share falls as the demo runs). They learn from the other
 * 26 of the 46: the amount, the channel and category one-hots, the country buckets and the
 * 1-minute aggregates (metric {@code features_used}). Without these exclusions the classifier's
 * AUC on minute 4-5 of a fresh stream fell from 0.998 (minute 2-2.5) to 0.977; with them it stays
 * above 0.99 (see {@code BootstrapModelsTest}).
 * The demo's trainers, fitted on its own labelled window, leave out fewer: only the features that
 * grow or drift with the stream's age ({@link DemoTrainers#ignoredFeatures}, the trainer's
 * ignored features), since their window holds the demo's own stream rather than a fresh one.
 *
 * <p>Versions carry the pipeline's feature spec hash, names and count, the per-feature mean and
 * standard deviation of the training rows (for reason codes), thresholds chosen on the training
 * data, a training window, and metrics: {@code train_auc} (training rows), {@code holdout_auc}
 * (the next {@code examples / 4} generated events, never trained on), {@code positive_rate},
 * {@code features_used}, and held-out recall / false-positive rate at both thresholds.
 */
public final class BootstrapModels {
    private static final Logger LOG = LoggerFactory.getLogger(BootstrapModels.class);

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

    /**
     * Standard deviation given to a left-out feature: even a 24h cap of 86,400 s or a large
     * amount gives {@code z^2} below float's smallest value, so its share of d2 is exactly 0.
     */
    private static final float IGNORED_STD = 1e30f;
    private static final float MIN_STD = 1e-3f;

    private BootstrapModels() {}

    /**
     * {@code [fraud v1 (BINARY), anomaly v1 (ANOMALY)]} over {@code pipeline}'s features, fitted
     * on {@code examples} events of a stream shaped like the demo's
     * ({@link LabeledExamples#DEFAULT_CARDS} cards at {@link LabeledExamples#DEFAULT_EVENTS_PER_SECOND}
     * events/s).
     */
    public static List<ModelVersion> fit(PipelineSpec pipeline, long seed, int examples) {
        return fit(pipeline, seed, examples, LabeledExamples.DEFAULT_CARDS, LabeledExamples.DEFAULT_EVENTS_PER_SECOND);
    }

    /** As {@link #fit(PipelineSpec, long, int)} on a stream of {@code cards} cards at {@code eventsPerSecond}. */
    public static List<ModelVersion> fit(PipelineSpec pipeline, long seed, int examples, int cards,
                                         double eventsPerSecond) {
        Split split = Split.generate(FeatureExtractor.of(pipeline), seed, examples, cards, eventsPerSecond);
        return List.of(classifier(pipeline.features(), split, seed, 1), anomaly(pipeline.features(), split));
    }

    /**
     * Another version of the classifier, fitted on a fresh stream from {@code seed} (pass a
     * different seed from {@link #fit}'s to get a genuinely different model); its parent is
     * {@code version - 1}.
     */
    public static ModelVersion refitClassifier(PipelineSpec pipeline, long seed, int examples, int version) {
        return refitClassifier(pipeline, seed, examples, version, LabeledExamples.DEFAULT_CARDS,
                LabeledExamples.DEFAULT_EVENTS_PER_SECOND);
    }

    /** As {@link #refitClassifier(PipelineSpec, long, int, int)} on a stream of {@code cards} cards at {@code eventsPerSecond}. */
    public static ModelVersion refitClassifier(PipelineSpec pipeline, long seed, int examples, int version, int cards,
                                               double eventsPerSecond) {
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, got " + version);
        }
        return classifier(pipeline.features(),
                Split.generate(FeatureExtractor.of(pipeline), seed, examples, cards, eventsPerSecond), seed, version);
    }

    /**
     * A classifier version fitted on {@code train} (e.g. a window of examples that spans the
     * demo's drift, from {@link LabeledExamples#generateWithDrift}) exactly as the bootstrap
     * classifier is fitted, with metrics measured on {@code holdout}; its parent is
     * {@code version - 1}. Both sets must hold rows of {@code features} and contain fraud and
     * genuine payments.
     */
    public static ModelVersion fitClassifier(FeatureSpec features, LabeledExamples train, LabeledExamples holdout,
                                             long seed, int version) {
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, got " + version);
        }
        return classifier(features, new Split(train, holdout), seed, version);
    }

    private static ModelVersion classifier(FeatureSpec features, Split split, long seed, int version) {
        LearnableFeatures learnable = LearnableFeatures.of(features, split.train);
        LOG.debug("{} v{} learns from {} of {} features; left out: {}", CLASSIFIER, version, learnable.used(),
                features.count(), learnable.reasons());
        TrainedModel network = fitNetwork(split.train.features(), split.train.labels(), learnable.ignored(),
                classifierConfig(seed));
        byte[] onnx = network.toOnnx();

        double[] trainScores = scores(network, split.train);
        double[] holdoutScores = scores(network, split.holdout);
        Map<String, Double> metrics = new HashMap<>();
        metrics.put("train_auc", RocAuc.of(trainScores, split.train.labels()));
        metrics.put("holdout_auc", RocAuc.of(holdoutScores, split.holdout.labels()));
        metrics.put("positive_rate", split.train.positiveRate());
        metrics.put("features_used", (double) learnable.used());
        metrics.putAll(ScoreHistogram.metrics(trainScores));
        putRates(metrics, holdoutScores, split.holdout.labels(), CLASSIFIER_REVIEW, CLASSIFIER_BLOCK);

        ModelVersion base = ModelVersions.fromOnnx(onnx, CLASSIFIER, version, ModelTask.BINARY, features.count());
        return finish(features, base, split, CLASSIFIER_REVIEW, CLASSIFIER_BLOCK, metrics,
                version > 1 ? version - 1 : null);
    }

    private static ModelVersion anomaly(FeatureSpec features, Split split) {
        int d = features.count();
        LearnableFeatures learnable = LearnableFeatures.of(features, split.train);
        boolean[] ignored = learnable.ignored();
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
            if (ignored[i]) {
                mean[i] = 0f;
                std[i] = IGNORED_STD;
            }
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
        metrics.put("features_used", (double) learnable.used());
        metrics.put("scale", (double) scale);
        metrics.putAll(ScoreHistogram.metrics(trainScores));
        putRates(metrics, holdoutScores, split.holdout.labels(), review, block);

        ModelVersion base = ModelVersions.fromOnnx(onnx, ANOMALY, 1, ModelTask.ANOMALY, d);
        return finish(features, base, split, review, block, metrics, null);
    }

    private static ModelVersion finish(FeatureSpec features, ModelVersion base, Split split, double review,
                                       double block, Map<String, Double> metrics, Integer parentVersion) {
        ModelVersion mv = ModelVersion.newBuilder(base)
                .setFeatureSpecHash(features.hash())
                .setFeatureNames(features.names())
                .setReviewThreshold(review)
                .setBlockThreshold(block)
                .setMetrics(metrics)
                .setTrainingWindow(new TrainingWindow(split.train.firstEventTime(), split.train.lastEventTime(),
                        (long) split.train.size(), split.train.positiveRate()))
                .setParentVersion(parentVersion)
                .build();
        return ModelVersions.withFeatureStatsOf(mv, split.train.features());
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

    /**
     * The classifier's settings for the trainer's MLP: one hidden layer of 16, 8 epochs of Adam
     * (learning rate 0.005, L2 1e-4, batches of 256), class-weighted log-loss, no early stopping
     * (the bootstrap fit has no validation slice: all its rows are training rows).
     */
    static TrainerConfig classifierConfig(long seed) {
        return TrainerConfig.defaults(ModelKind.MLP).withHiddenLayers(List.of(16)).withMaxEpochs(8).withBatchSize(256)
                .withLearningRate(0.005).withL2(1e-4).withPatience(0).withClassWeighting(true).withSeed(seed);
    }

    /**
     * Fits {@code config}'s kind with the trainer's code on rows {@code x} labelled {@code y};
     * {@code ignored[i]} true (or {@code ignored} null: none) leaves feature {@code i} without
     * influence on the model (see {@link FeatureMask}), which still takes whole vectors.
     */
    static TrainedModel fitNetwork(float[][] x, boolean[] y, boolean[] ignored, TrainerConfig config) {
        int d = x[0].length;
        List<Integer> left = new ArrayList<>();
        for (int i = 0; ignored != null && i < d; i++) {
            if (ignored[i]) {
                left.add(i);
            }
        }
        Dataset none = new Dataset(new float[0], 0, d, new int[0]);
        return ModelTrainer.train(config, FeatureMask.ignoringColumns(d, left), dataset(x, y), none, null);
    }

    /** {@code x} and {@code y} as the trainer's data set. */
    static Dataset dataset(float[][] x, boolean[] y) {
        int d = x[0].length;
        float[] flat = new float[x.length * d];
        int[] labels = new int[x.length];
        for (int r = 0; r < x.length; r++) {
            System.arraycopy(x[r], 0, flat, r * d, d);
            labels[r] = y[r] ? 1 : 0;
        }
        return new Dataset(flat, x.length, d, labels);
    }

    private static double[] scores(TrainedModel network, LabeledExamples examples) {
        float[] p = network.predict(dataset(examples.features(), examples.labels()));
        double[] out = new double[p.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = p[i];
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
        static Split generate(FeatureExtractor features, long seed, int examples, int cards, double eventsPerSecond) {
            if (examples < 1_000) {
                throw new IllegalArgumentException("need at least 1000 examples, got " + examples);
            }
            TransactionGenerator generator = new TransactionGenerator(seed, cards);
            Map<String, EntityFeatureState> states = new HashMap<>();
            LabeledExamples train = LabeledExamples.generate(features, generator, seed, examples, eventsPerSecond,
                    LabeledExamples.DEFAULT_START_MS, states);
            LabeledExamples holdout = LabeledExamples.generate(features, generator, seed + 1,
                    Math.max(1_000, examples / 4), eventsPerSecond, train.lastEventTime(), states);
            return new Split(train, holdout);
        }
    }
}
