package io.riffle.modelops.spec;

import io.riffle.schemas.ModelTask;
import java.util.List;

/**
 * One entry of {@code models:}: what the model predicts, how the trainer builds it, the decision
 * thresholds, what happens to a candidate that does not beat the champion, and the ROC-AUC margin
 * it must beat it by. {@code params} holds the trainer's hyper-parameters, typed for the kind
 * ({@link TrainerParams}; what the file leaves out keeps the kind's default). {@code ignore}
 * names features of the pipeline the model must not use (the trainer's {@code ignore: [...]});
 * it still takes the whole vector. {@code topK} is how many classes a {@code multiclass} model's
 * scores and recommendations carry (best first); other tasks ignore it.
 */
public record ModelSpec(String name, ModelTask task, ModelKind trainer, TrainerParams params,
                        double reviewThreshold, double blockThreshold, OnWorse onWorse, double gateMargin,
                        List<String> ignore, int topK) {

    /** Classes per multiclass score when the file does not say ({@code top-k}). */
    public static final int DEFAULT_TOP_K = 10;
    /** The most classes a score may carry: a top-k is a short list, not the catalogue. */
    public static final int MAX_TOP_K = 1000;

    /** Review threshold of a model whose file gives none (and of the trainer's versions by default). */
    public static final double DEFAULT_REVIEW_THRESHOLD = 0.5;
    /** Block threshold of a model whose file gives none. */
    public static final double DEFAULT_BLOCK_THRESHOLD = 0.9;
    /** What becomes of a candidate that loses the gate when the file does not say. */
    public static final OnWorse DEFAULT_ON_WORSE = OnWorse.SHADOW;

    public ModelSpec {
        ignore = List.copyOf(ignore);
    }
}
