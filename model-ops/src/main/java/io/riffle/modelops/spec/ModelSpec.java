package io.riffle.modelops.spec;

import io.riffle.schemas.ModelTask;
import java.util.Map;

/**
 * One entry of {@code models:}: what the model predicts, how the trainer builds it, the decision
 * thresholds, what happens to a candidate that does not beat the champion, and the ROC-AUC margin
 * it must beat it by. {@code params} holds the trainer's hyper-parameters as written (numbers as
 * {@code Long}/{@code Double}, lists as {@code List}); the allowed names are {@link #PARAMETERS}.
 * {@code ignore} names features of the pipeline the model must not use (the trainer's
 * {@code ignore: [...]}); it still takes the whole vector.
 */
public record ModelSpec(String name, ModelTask task, ModelKind trainer, Map<String, Object> params,
                        double reviewThreshold, double blockThreshold, OnWorse onWorse, double gateMargin,
                        java.util.List<String> ignore) {

    /** Hyper-parameter names the trainer understands (kebab-case of {@code TrainerConfig}'s fields). */
    public static final java.util.List<String> PARAMETERS = java.util.List.of(
            "hidden-layers", "max-epochs", "batch-size", "learning-rate", "l2", "patience", "class-weighting",
            "trees", "max-depth", "eta", "threads", "seed");

    /** Review threshold of a model whose file gives none (and of the trainer's versions by default). */
    public static final double DEFAULT_REVIEW_THRESHOLD = 0.5;
    /** Block threshold of a model whose file gives none. */
    public static final double DEFAULT_BLOCK_THRESHOLD = 0.9;
    /** What becomes of a candidate that loses the gate when the file does not say. */
    public static final OnWorse DEFAULT_ON_WORSE = OnWorse.SHADOW;

    public ModelSpec {
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
        ignore = java.util.List.copyOf(ignore);
    }

}
