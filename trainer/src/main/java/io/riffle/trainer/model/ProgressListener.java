package io.riffle.trainer.model;

/**
 * Told after every epoch (dense kinds), Newton iteration (small logistic windows) or boosting
 * round (GBDT), so a long fit can be logged. Losses are the kind's own: log-loss for classifiers
 * (Newton: its penalised objective per unit of sample weight), mean squared error of standardised
 * reconstruction for the autoencoder; NaN when not computed (GBDT's training loss, Newton's
 * validation loss, and the validation loss when the validation set is empty).
 */
@FunctionalInterface
public interface ProgressListener {

    ProgressListener NONE = (e, t, v) -> { };

    /** {@code epoch} counts from 1. */
    void epoch(int epoch, double trainLoss, double validationLoss);
}
