package io.riffle.modelops.spec;

import io.riffle.schemas.ModelTask;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What the trainer fits: a model's {@code trainer.kind} in the pipeline file, and the trainer's own setting. */
public enum ModelKind {
    /** A dense network without hidden layers: logistic regression. */
    LOGISTIC,
    /** A dense network with ReLU hidden layers and a sigmoid output. */
    MLP,
    /** A dense autoencoder trained on negatives; the score is calibrated reconstruction error. */
    AUTOENCODER,
    /** Gradient-boosted trees (XGBoost). */
    GBDT,
    /**
     * Multiclass only: the class frequencies of the training window ("most popular in the last
     * window"), per segment when the file names one; the baseline learned models are compared with.
     */
    POPULARITY;

    /** Case-insensitive; the error lists the allowed names. */
    public static ModelKind parse(String s) {
        if (s != null) {
            String wanted = s.trim().toUpperCase(Locale.ROOT);
            for (ModelKind k : values()) {
                if (k.name().equals(wanted)) {
                    return k;
                }
            }
        }
        throw new IllegalArgumentException("unknown model kind '" + s + "'; allowed: "
                + Arrays.stream(values()).map(k -> k.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
    }

    /**
     * The task a kind trains when the file does not say otherwise: {@code AUTOENCODER} scores
     * anomalies, {@code POPULARITY} ranks classes, the others give the probability of the positive
     * class ({@code LOGISTIC} and {@code MLP} also train {@code multiclass}, see {@link #trains}).
     */
    public ModelTask task() {
        return switch (this) {
            case AUTOENCODER -> ModelTask.ANOMALY;
            case POPULARITY -> ModelTask.MULTICLASS;
            default -> ModelTask.BINARY;
        };
    }

    /** Whether the trainer can fit this kind for {@code task}. */
    public boolean trains(ModelTask task) {
        return switch (task) {
            case MULTICLASS -> this == LOGISTIC || this == MLP || this == POPULARITY;
            default -> this != POPULARITY;
        };
    }

    /** Lower-case name, as used on command lines and in summaries. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
