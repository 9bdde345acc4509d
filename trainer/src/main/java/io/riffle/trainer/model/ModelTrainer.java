package io.riffle.trainer.model;

import io.riffle.trainer.data.Dataset;
import java.util.Objects;

/** Fits a model of the configured kind. */
public final class ModelTrainer {

    private ModelTrainer() {}

    /**
     * Fits on {@code train}, using {@code validation} for early stopping (and, for the
     * autoencoder, only the negatives of both). Blocks until done; {@code progress} is called from
     * the calling thread.
     *
     * @throws IllegalArgumentException if the sets are empty, disagree on the feature count, or a
     *                                  classifier's training set lacks one of the classes
     */
    public static TrainedModel train(TrainerConfig config, Dataset train, Dataset validation, ProgressListener progress) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(validation, "validation");
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        if (train.features() != validation.features()) {
            throw new IllegalArgumentException("train has " + train.features() + " features but validation has "
                    + validation.features());
        }
        if (train.rows() == 0) {
            throw new IllegalArgumentException("the training set is empty");
        }
        return switch (config.kind()) {
            case LOGISTIC, MLP -> DenseClassifier.fit(config, train, validation, listener);
            case AUTOENCODER -> Autoencoder.fit(config, train, validation, listener);
            case GBDT -> GradientBoostedTrees.fit(config, train, validation, listener);
        };
    }
}
