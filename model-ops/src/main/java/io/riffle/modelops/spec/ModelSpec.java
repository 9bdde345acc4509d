package io.riffle.modelops.spec;

import java.util.Map;

/**
 * One entry of {@code models:}: what the model predicts, how the trainer builds it, the decision
 * thresholds, what happens to a candidate that does not beat the champion, and the ROC-AUC margin
 * it must beat it by. {@code params} holds the trainer's hyper-parameters as written (numbers as
 * {@code Long}/{@code Double}, lists as {@code List}); the allowed names are {@link #PARAMETERS}.
 * {@code ignore} names features of the pipeline the model must not use (the trainer's
 * {@code ignore: [...]}); it still takes the whole vector.
 */
public record ModelSpec(String name, Task task, TrainerKind trainer, Map<String, Object> params,
                        double reviewThreshold, double blockThreshold, OnWorse onWorse, double gateMargin,
                        java.util.List<String> ignore) {

    /** Hyper-parameter names the trainer understands (kebab-case of {@code TrainerConfig}'s fields). */
    public static final java.util.List<String> PARAMETERS = java.util.List.of(
            "hidden-layers", "max-epochs", "batch-size", "learning-rate", "l2", "patience", "class-weighting",
            "trees", "max-depth", "eta", "threads", "seed");

    public ModelSpec {
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
        ignore = java.util.List.copyOf(ignore);
    }

    public enum Task { BINARY, ANOMALY, MULTICLASS }

    public enum TrainerKind { LOGISTIC, MLP, AUTOENCODER, GBDT }

    /** A candidate that loses the gate is published as a SHADOW model ({@code <name>-shadow}) or discarded. */
    public enum OnWorse { SHADOW, DISCARD }
}
