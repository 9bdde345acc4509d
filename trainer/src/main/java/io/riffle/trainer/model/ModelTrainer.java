package io.riffle.trainer.model;

import io.riffle.trainer.data.Dataset;
import java.util.Objects;

/** Fits a model of the configured kind. */
public final class ModelTrainer {

    private ModelTrainer() {}

    /**
     * Fits on {@code train}, using {@code validation} for early stopping (and, for the
     * autoencoder, only the negatives of both); a LOGISTIC window small enough for Newton's method
     * needs no early stopping and fits on both. Blocks until done; {@code progress} is called from
     * the calling thread.
     *
     * @throws IllegalArgumentException if the sets are empty, disagree on the feature count, or a
     *                                  classifier's training set lacks one of the classes
     */
    public static TrainedModel train(TrainerConfig config, Dataset train, Dataset validation, ProgressListener progress) {
        return train(config, FeatureMask.all(train.features()), train, validation, progress);
    }

    /**
     * As {@link #train(TrainerConfig, Dataset, Dataset, ProgressListener)}, with the columns
     * {@code mask} ignores left without influence on the model's output (see {@link FeatureMask});
     * the model still takes vectors of {@code mask.features()} columns. Ignored columns may hold
     * any value, even for the dense kinds, which need finite values in the columns they use.
     */
    public static TrainedModel train(TrainerConfig config, FeatureMask mask, Dataset train, Dataset validation,
                                     ProgressListener progress) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(mask, "mask");
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(validation, "validation");
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        if (train.features() != validation.features()) {
            throw new IllegalArgumentException("train has " + train.features() + " features but validation has "
                    + validation.features());
        }
        if (train.features() != mask.features()) {
            throw new IllegalArgumentException("the feature mask is for " + mask.features()
                    + " features but the data has " + train.features());
        }
        if (train.rows() == 0) {
            throw new IllegalArgumentException("the training set is empty");
        }
        return switch (config.kind()) {
            case LOGISTIC, MLP -> DenseClassifier.fit(config, mask, train, validation, listener);
            case AUTOENCODER -> Autoencoder.fit(config, mask, train, validation, listener);
            case GBDT -> GradientBoostedTrees.fit(config, mask, train, validation, listener);
            case POPULARITY -> throw new IllegalArgumentException(
                    "popularity is a multiclass baseline: fit it with PopularityModel.fit");
        };
    }
}
