package io.riffle.trainer.service;

import io.riffle.modelops.registry.ModelVersions;
import io.riffle.schemas.FeatureStats;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.TrainingExample;
import io.riffle.trainer.data.Dataset;
import io.riffle.trainer.model.FeatureMask;
import io.riffle.trainer.model.ModelTrainer;
import io.riffle.trainer.model.ProgressListener;
import io.riffle.trainer.model.TrainedModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The first step of the model path: the window, sorted by event time, is split into train,
 * validation (early stopping) and the newest slice as holdout; a model of the configured kind is
 * fitted, exported to ONNX and described as an unnumbered candidate version (spec hash, names,
 * thresholds, training window, feature stats of the train rows). Needs no Kafka.
 *
 * <p>With a holdout fraction of 0 ({@link TrainerOptions#hasHoldout()} false) there is no holdout:
 * the whole window is train and validation (a LOGISTIC fit by Newton's method fits on both, so on
 * every example), and the {@link CandidateCheck} has no gate to apply.
 *
 * <p>The features of {@link TrainerOptions#ignoredFeatures()} have no influence on the candidate
 * (see {@link FeatureMask}); its feature stats give them a standard deviation of 0, which keeps
 * reason codes from naming a feature the model does not read.
 */
final class TrainingRound {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingRound.class);
    /** What a round produced: nothing (and why), or a fitted candidate. */
    sealed interface Result permits Skipped, Fitted { }

    /** Too little data, or a holdout of a single class. */
    record Skipped(String why) implements Result { }

    /**
     * A fitted model, the data it was fitted and is judged on (an empty holdout when the options
     * hold none out), and the candidate version made of it (version 0, role CHAMPION, no metrics yet).
     */
    record Fitted(TrainedModel model, Dataset train, Dataset holdout, ModelVersion candidate, long fitMillis)
            implements Result { }

    /** Folds of a {@link #crossValidated} round. */
    static final int FOLDS = 5;

    /**
     * A round judged by cross-validation: the candidate fitted on the whole window ({@code fit},
     * with an empty holdout), the window ({@code window}) and each of its rows' score by a model
     * fitted without that row's fold ({@code outOfFold}).
     */
    record CrossValidated(Fitted fit, Dataset window, float[] outOfFold) { }

    private final TrainerOptions options;
    private final FeatureMask mask;

    TrainingRound(TrainerOptions options, FeatureMask mask) {
        this.options = options;
        this.mask = mask;
    }

    /** Fits on {@code ordered} (the window by event time, {@code positives} of them positive). */
    Result run(List<TrainingExample> ordered, long positives) {
        int n = ordered.size();
        if (n < options.minExamples() || positives < options.minPositives()) {
            return new Skipped("window has " + n + " examples (" + positives + " positive); needs "
                    + options.minExamples() + " (" + options.minPositives() + ")");
        }
        int holdoutStart = options.hasHoldout()
                ? n - Math.max(1, (int) Math.round(n * options.holdoutFraction())) : n;
        int validationStart = holdoutStart - Math.max(1, (int) Math.round(holdoutStart * options.validationFraction()));
        int f = options.featureCount();
        Dataset train = TrainingWindow.toDataset(ordered, 0, validationStart, f);
        Dataset validation = TrainingWindow.toDataset(ordered, validationStart, holdoutStart, f);
        Dataset holdout = TrainingWindow.toDataset(ordered, holdoutStart, n, f);
        if (options.hasHoldout() && (holdout.positives() == 0 || holdout.positives() == holdout.rows())) {
            return new Skipped("the holdout (newest " + holdout.rows() + " examples) has a single class");
        }

        long t0 = System.nanoTime();
        TrainedModel model = ModelTrainer.train(options.training(), mask, train, validation,
                (epoch, trainLoss, valLoss) -> LOG.info("{} {} epoch {}: train loss {} validation loss {}",
                        options.modelName(), options.training().kind(), epoch, String.format("%.5f", trainLoss),
                        String.format("%.5f", valLoss)));
        long fitMillis = (System.nanoTime() - t0) / 1_000_000;
        ModelVersion described = describe(ModelVersions.fromOnnx(model.toOnnx(), options.modelName(), 0, model.task(), f),
                ordered, positives);
        ModelVersion candidate = withoutIgnoredStats(ModelVersions.withFeatureStatsOf(described, train.x(), train.rows()));
        return new Fitted(model, train, holdout, candidate, fitMillis);
    }

    /**
     * Fits on the whole window, and judges it by {@value #FOLDS}-fold cross-validation on blocks of
     * the window in event-time order: each block is scored by a model fitted on the other blocks (the
     * newest share of them for early stopping), so every example, not only the newest tenth, gives
     * evidence. For the small window right after a drift, whose newest tenth holds a handful of
     * positives, too few for the gate's ROC-AUC to tell a candidate that learned the new kind from
     * one that did not. {@code FOLDS + 1} fits: for small windows only. Null when skipped.
     */
    CrossValidated crossValidated(List<TrainingExample> ordered, long positives) {
        int n = ordered.size();
        if (n < Math.max(options.minExamples(), 2 * FOLDS) || positives < options.minPositives()) {
            return null;
        }
        int f = options.featureCount();
        Dataset window = TrainingWindow.toDataset(ordered, 0, n, f);
        float[] outOfFold = new float[n];
        long t0 = System.nanoTime();
        for (int k = 0; k < FOLDS; k++) {
            int from = (int) ((long) n * k / FOLDS);
            int to = (int) ((long) n * (k + 1) / FOLDS);
            Dataset rest = Dataset.concat(window.slice(0, from), window.slice(to, n));
            int validationStart = rest.rows() - Math.max(1, (int) Math.round(rest.rows() * options.validationFraction()));
            TrainedModel model = ModelTrainer.train(options.training(), mask, rest.slice(0, validationStart),
                    rest.slice(validationStart, rest.rows()), ProgressListener.NONE);
            System.arraycopy(model.predict(window.slice(from, to)), 0, outOfFold, from, to - from);
        }
        int validationStart = n - Math.max(1, (int) Math.round(n * options.validationFraction()));
        Dataset train = window.slice(0, validationStart);
        TrainedModel model = ModelTrainer.train(options.training(), mask, train, window.slice(validationStart, n),
                ProgressListener.NONE);
        long fitMillis = (System.nanoTime() - t0) / 1_000_000;
        ModelVersion described = describe(ModelVersions.fromOnnx(model.toOnnx(), options.modelName(), 0, model.task(), f),
                ordered, positives);
        ModelVersion candidate = withoutIgnoredStats(ModelVersions.withFeatureStatsOf(described, train.x(), train.rows()));
        Fitted fit = new Fitted(model, train, window.slice(n, n), candidate, fitMillis);
        return new CrossValidated(fit, window, outOfFold);
    }

    private ModelVersion describe(ModelVersion mv, List<TrainingExample> ordered, long positives) {
        return ModelVersion.newBuilder(mv)
                .setFeatureSpecHash(options.specHash())
                .setFeatureNames(options.featureNames())
                .setReviewThreshold(options.reviewThreshold())
                .setBlockThreshold(options.blockThreshold())
                .setTrainingWindow(new io.riffle.schemas.TrainingWindow(ordered.get(0).getEventTime(),
                        ordered.get(ordered.size() - 1).getEventTime(), (long) ordered.size(),
                        positives / (double) ordered.size()))
                .build();
    }

    /** {@code mv} with standard deviation 0 for the ignored features, which reason codes skip. */
    private ModelVersion withoutIgnoredStats(ModelVersion mv) {
        if (!mask.ignoresAny()) {
            return mv;
        }
        List<Float> std = new ArrayList<>(mv.getFeatureStats().getStd());
        for (int i = 0; i < std.size(); i++) {
            if (mask.ignores(i)) {
                std.set(i, 0f);
            }
        }
        return ModelVersion.newBuilder(mv)
                .setFeatureStats(new FeatureStats(mv.getFeatureStats().getMean(), std))
                .build();
    }
}
