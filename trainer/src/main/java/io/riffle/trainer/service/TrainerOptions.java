package io.riffle.trainer.service;

import io.riffle.modelops.spec.DriftSpec;
import io.riffle.modelops.spec.ModelSpec;
import io.riffle.modelops.spec.OnWorse;
import io.riffle.modelops.spec.TrainerSpec;
import io.riffle.modelops.validation.ModelPolicy;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.Topics;
import io.riffle.trainer.data.ClassVocabulary;
import io.riffle.trainer.model.FeatureMask;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.trainer.model.TrainerConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Everything one trainer instance (one model name) needs, typed; {@link #builder} holds the defaults.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param trainingTopic topic of {@code TrainingExample}s (written by the label join)
 * @param modelsTopic compacted topic the versions are published to
 * @param modelEventsTopic topic of PUBLISHED model events
 * @param modelName the model this trainer owns; a shadow candidate is published as {@code <name>-shadow}
 * @param training model kind and hyper-parameters
 * @param window window length: examples whose training-topic timestamp is older than now minus this drop out
 * @param maxExamples window size cap: the newest examples are kept
 * @param retrainEvery retrain at least this often (when there is enough data)...
 * @param retrainAfterLabels ...or as soon as this many new examples arrived, whichever comes first
 * @param minExamples no training below this many examples in the window
 * @param minPositives no training below this many positive examples (binary kinds)
 * @param holdoutFraction newest share of the window (by event time) held out for evaluation and the gate; 0: none,
 *        rounds fit on the whole window and promote their candidate without a gate (nothing to judge it on)
 * @param validationFraction newest share of the rest used to stop dense fits early
 * @param gateMargin a candidate must beat the champion's holdout ROC-AUC by this much to replace it
 * @param onWorse what happens to a candidate that does not
 * @param reviewThreshold review threshold stamped on published versions
 * @param blockThreshold block threshold stamped on published versions
 * @param featureCount width of the feature vectors
 * @param specHash feature spec hash of the vectors (stamped on versions; examples of another spec are skipped)
 * @param featureNames feature names in order
 * @param ignoredFeatures names (of {@code featureNames}) of the features the model must not use: they have no
 *        influence on its output, in training or serving (see {@link FeatureMask}), though the model still takes
 *        the full vector; e.g. aggregates over windows longer than the stream has existed, which only grow
 * @param trainFrom event time (epoch ms) of the oldest example trained on; older ones are skipped, e.g. those a
 *        freshly started pipeline scored while its aggregate windows were still filling ({@link Long#MIN_VALUE}: none)
 * @param parityTolerance largest |ONNX Runtime − trainer| difference allowed on the holdout before publishing
 * @param kafkaProperties extra Kafka client properties (security settings) for every client
 * @param signingKey Ed25519 private key file (PEM PKCS#8, from {@code riffle models keygen}) every published version is
 *        signed with; null: versions are published unsigned (scorers with trusted keys reject them)
 * @param drift the detector on the champion's live error that triggers an immediate retrain ({@link DriftSpec})
 * @param task what the model predicts; {@code MULTICLASS} rounds train on the examples' {@code labelClass}
 *        ({@link MulticlassRound}), the others on the binary label
 * @param topK multiclass: the k of the published recall@k, NDCG@k and coverage, and of the gate's recall@k
 * @param maxClasses multiclass: the class vocabulary's bound (the window's most frequent classes are kept)
 * @param segmentColumns multiclass popularity: the feature names of the one-hot columns whose rows form segments
 *        (empty: one global ranking)
 */
public record TrainerOptions(String bootstrapServers, String trainingTopic, String modelsTopic, String modelEventsTopic,
                             String modelName, TrainerConfig training, Duration window, int maxExamples,
                             Duration retrainEvery, int retrainAfterLabels, int minExamples, int minPositives,
                             double holdoutFraction, double validationFraction, double gateMargin, OnWorse onWorse, double reviewThreshold,
                             double blockThreshold, int featureCount, String specHash, List<String> featureNames,
                             List<String> ignoredFeatures, long trainFrom, double parityTolerance,
                             Map<String, String> kafkaProperties, Path signingKey, DriftSpec drift,
                             ModelTask task, int topK, int maxClasses, List<String> segmentColumns) {

    public TrainerOptions {
        if (!(holdoutFraction >= 0 && holdoutFraction < 0.5)) {
            throw new IllegalArgumentException("holdout fraction must be in [0, 0.5) (0: no holdout), was "
                    + holdoutFraction);
        }
        if (validationFraction <= 0 || validationFraction >= 0.5) {
            throw new IllegalArgumentException("validation fraction must be in (0, 0.5), was " + validationFraction);
        }
        if (drift == null) {
            throw new IllegalArgumentException("drift: use DriftSpec.off() for none");
        }
        if (maxExamples < minExamples) {
            throw new IllegalArgumentException("max examples " + maxExamples + " is below min examples " + minExamples);
        }
        featureNames = List.copyOf(featureNames);
        ignoredFeatures = List.copyOf(new LinkedHashSet<>(ignoredFeatures));
        if (!ignoredFeatures.isEmpty()) {
            if (featureNames.size() != featureCount) {
                throw new IllegalArgumentException("ignored features need the names of all " + featureCount
                        + " features, got " + featureNames.size() + " names");
            }
            // Validates the names (an unknown one is named in the error) and that one feature is left.
            FeatureMask.ignoring(featureNames, ignoredFeatures);
        }
        kafkaProperties = Map.copyOf(kafkaProperties);
        segmentColumns = List.copyOf(segmentColumns);
        if (!training.kind().trains(task)) {
            throw new IllegalArgumentException("kind " + training.kind().id() + " cannot train a "
                    + task.name().toLowerCase(java.util.Locale.ROOT) + " model");
        }
        if (topK < 1 || maxClasses < 2) {
            throw new IllegalArgumentException("top-k must be >= 1 and max-classes >= 2, were " + topK + " and "
                    + maxClasses);
        }
        for (String column : segmentColumns) {
            if (!featureNames.contains(column)) {
                throw new IllegalArgumentException("segment column " + column + " is not one of the feature names");
            }
        }
    }

    /** Whether rounds train a multiclass model on the examples' {@code labelClass}. */
    public boolean multiclass() {
        return task == ModelTask.MULTICLASS;
    }

    /** The vector columns of {@link #segmentColumns}, in order. */
    public int[] segmentColumnIndices() {
        return segmentColumns.stream().mapToInt(featureNames::indexOf).toArray();
    }

    /** Whether rounds hold the newest share of the window out (false: they fit on all of it, no gate). */
    public boolean hasHoldout() {
        return holdoutFraction > 0;
    }

    /** The columns the model reads: all but {@link #ignoredFeatures}. */
    public FeatureMask featureMask() {
        return ignoredFeatures.isEmpty() ? FeatureMask.all(featureCount)
                : FeatureMask.ignoring(featureNames, ignoredFeatures);
    }

    /** A builder with the defaults for a model of {@code kind} named {@code modelName} over vectors of the given spec. */
    public static Builder builder(String bootstrapServers, String modelName, ModelKind kind, int featureCount,
                                  String specHash, List<String> featureNames) {
        return new Builder(bootstrapServers, modelName, TrainerConfig.defaults(kind), featureCount, specHash, featureNames);
    }

    /** A builder holding every value of these options, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder(bootstrapServers, modelName, training, featureCount, specHash, featureNames);
        b.trainingTopic = trainingTopic;
        b.modelsTopic = modelsTopic;
        b.modelEventsTopic = modelEventsTopic;
        b.window = window;
        b.maxExamples = maxExamples;
        b.retrainEvery = retrainEvery;
        b.retrainAfterLabels = retrainAfterLabels;
        b.minExamples = minExamples;
        b.minPositives = minPositives;
        b.holdoutFraction = holdoutFraction;
        b.validationFraction = validationFraction;
        b.drift = drift;
        b.gateMargin = gateMargin;
        b.onWorse = onWorse;
        b.reviewThreshold = reviewThreshold;
        b.blockThreshold = blockThreshold;
        b.parityTolerance = parityTolerance;
        b.ignoredFeatures = ignoredFeatures;
        b.trainFrom = trainFrom;
        b.kafkaProperties = kafkaProperties;
        b.signingKey = signingKey;
        b.task = task;
        b.topK = topK;
        b.maxClasses = maxClasses;
        b.segmentColumns = segmentColumns;
        return b;
    }

    /**
     * Fluent construction; every value not set keeps its default, which for the settings a
     * pipeline file can give is the file's ({@link TrainerSpec#defaults()}, {@link ModelSpec}).
     */
    public static final class Builder {
        private static final TrainerSpec FILE_DEFAULTS = TrainerSpec.defaults();

        private String bootstrapServers;
        private final String modelName;
        private final int featureCount;
        private final String specHash;
        private final List<String> featureNames;
        private TrainerConfig training;
        private String trainingTopic = Topics.TRAINING;
        private String modelsTopic = Topics.MODELS;
        private String modelEventsTopic = Topics.MODEL_EVENTS;
        private Duration window = FILE_DEFAULTS.window();
        private int maxExamples = FILE_DEFAULTS.maxExamples();
        private Duration retrainEvery = FILE_DEFAULTS.retrainEvery();
        private int retrainAfterLabels = FILE_DEFAULTS.retrainAfterLabels();
        private int minExamples = FILE_DEFAULTS.minExamples();
        private int minPositives = FILE_DEFAULTS.minPositives();
        private double holdoutFraction = FILE_DEFAULTS.holdoutFraction();
        private double validationFraction = FILE_DEFAULTS.validationFraction();
        private DriftSpec drift = FILE_DEFAULTS.drift();
        private double gateMargin = FILE_DEFAULTS.gateMargin();
        private OnWorse onWorse = ModelSpec.DEFAULT_ON_WORSE;
        private double reviewThreshold = ModelSpec.DEFAULT_REVIEW_THRESHOLD;
        private double blockThreshold = ModelSpec.DEFAULT_BLOCK_THRESHOLD;
        private double parityTolerance = 1e-5;
        private List<String> ignoredFeatures = List.of();
        private long trainFrom = Long.MIN_VALUE;
        private Map<String, String> kafkaProperties = Map.of();
        private Path signingKey;
        private ModelTask task;
        private int topK = ModelSpec.DEFAULT_TOP_K;
        private int maxClasses = ClassVocabulary.DEFAULT_MAX_CLASSES;
        private List<String> segmentColumns = List.of();

        private Builder(String bootstrapServers, String modelName, TrainerConfig training, int featureCount,
                        String specHash, List<String> featureNames) {
            this.bootstrapServers = bootstrapServers;
            this.modelName = modelName;
            this.training = training;
            this.featureCount = featureCount;
            this.specHash = specHash;
            this.featureNames = featureNames;
            this.task = training.kind().task();
        }

        /**
         * A multiclass model: rounds rank the examples' {@code labelClass}, evaluated at the top
         * {@code k}, over at most {@code classes} classes; {@code segments} are the one-hot feature
         * columns of a popularity model's segments (empty: none).
         */
        public Builder multiclass(int k, int classes, List<String> segments) {
            this.task = ModelTask.MULTICLASS;
            this.topK = k;
            this.maxClasses = classes;
            this.segmentColumns = List.copyOf(segments);
            return this;
        }

        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        public Builder training(TrainerConfig config) {
            this.training = config;
            return this;
        }

        public Builder topics(String training, String models, String modelEvents) {
            this.trainingTopic = training;
            this.modelsTopic = models;
            this.modelEventsTopic = modelEvents;
            return this;
        }

        public Builder window(Duration length, int max) {
            this.window = length;
            this.maxExamples = max;
            return this;
        }

        public Builder schedule(Duration every, int afterLabels) {
            this.retrainEvery = every;
            this.retrainAfterLabels = afterLabels;
            return this;
        }

        public Builder minimums(int examples, int positives) {
            this.minExamples = examples;
            this.minPositives = positives;
            return this;
        }

        public Builder holdout(double fraction) {
            this.holdoutFraction = fraction;
            return this;
        }

        public Builder validation(double fraction) {
            this.validationFraction = fraction;
            return this;
        }

        public Builder drift(DriftSpec detector) {
            this.drift = detector;
            return this;
        }

        public Builder gate(double margin, OnWorse policy) {
            this.gateMargin = margin;
            this.onWorse = policy;
            return this;
        }

        public Builder thresholds(double review, double block) {
            this.reviewThreshold = review;
            this.blockThreshold = block;
            return this;
        }

        public Builder parityTolerance(double tolerance) {
            this.parityTolerance = tolerance;
            return this;
        }

        /** Features (by name) the model must not use; each must be one of the feature names. */
        public Builder ignoredFeatures(Collection<String> names) {
            this.ignoredFeatures = List.copyOf(names);
            return this;
        }

        /** Skip examples whose event time is before {@code eventTime}. */
        public Builder trainFrom(Instant eventTime) {
            this.trainFrom = eventTime.toEpochMilli();
            return this;
        }

        public Builder kafkaProperties(Map<String, String> properties) {
            this.kafkaProperties = properties;
            return this;
        }

        /** Sign every published version with the private key in {@code file}; null: unsigned. */
        public Builder signingKey(Path file) {
            this.signingKey = file;
            return this;
        }

        public TrainerOptions build() {
            return new TrainerOptions(bootstrapServers, trainingTopic, modelsTopic, modelEventsTopic, modelName,
                    training, window, maxExamples, retrainEvery, retrainAfterLabels, minExamples, minPositives,
                    holdoutFraction, validationFraction, gateMargin, onWorse, reviewThreshold, blockThreshold, featureCount, specHash,
                    featureNames, ignoredFeatures, trainFrom, parityTolerance, kafkaProperties, signingKey, drift,
                    task, topK, maxClasses, segmentColumns);
        }
    }

    /**
     * The name a candidate that loses the gate is published under when {@link OnWorse#SHADOW}: the
     * one name besides the model's own that a pipeline's scorer admits for it ({@link ModelPolicy}).
     */
    public String shadowName() {
        return modelName + ModelPolicy.SHADOW_SUFFIX;
    }
}
