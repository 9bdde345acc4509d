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
    GBDT;

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

    /** {@code AUTOENCODER} scores anomalies; the others give the probability of the positive class. */
    public ModelTask task() {
        return this == AUTOENCODER ? ModelTask.ANOMALY : ModelTask.BINARY;
    }

    /** Lower-case name, as used on command lines and in summaries. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
