package io.riffle.modelops.spec;

import java.util.List;

/**
 * A model's {@code trainer.params}, typed for its kind: {@link Dense} for {@code logistic},
 * {@code mlp} and {@code autoencoder}, {@link Trees} for {@code gbdt}. A null field was not
 * written in the file and keeps the kind's default, which the trainer owns ({@code
 * TrainerConfig.defaults}), so no default is restated here. Keys are the kebab-case of the
 * field names; {@link #keys} lists those a kind accepts.
 */
public sealed interface TrainerParams permits TrainerParams.Dense, TrainerParams.Trees {

    /** Epochs (trees: rounds) without a better validation loss before stopping; 0 disables early stopping. */
    Integer patience();

    /** Weight positives by negatives/positives (capped) for classifiers. */
    Boolean classWeighting();

    /** Makes a fit reproducible. */
    Long seed();

    /** The dense network kinds' settings. */
    record Dense(List<Integer> hiddenLayers, Integer maxEpochs, Integer batchSize, Double learningRate, Double l2,
                 Integer patience, Boolean classWeighting, Long seed) implements TrainerParams {

        public Dense {
            hiddenLayers = hiddenLayers == null ? null : List.copyOf(hiddenLayers);
        }
    }

    /** Gradient-boosted trees' settings. */
    record Trees(Integer trees, Integer maxDepth, Double eta, Integer threads, Integer patience,
                 Boolean classWeighting, Long seed) implements TrainerParams { }

    /** The keys {@code kind} accepts under {@code params}. */
    static List<String> keys(ModelKind kind) {
        return kind == ModelKind.GBDT
                ? List.of("trees", "max-depth", "eta", "threads", "patience", "class-weighting", "seed")
                : List.of("hidden-layers", "max-epochs", "batch-size", "learning-rate", "l2", "patience",
                        "class-weighting", "seed");
    }

    /** Nothing written: every setting at the kind's default. */
    static TrainerParams defaults(ModelKind kind) {
        return kind == ModelKind.GBDT ? new Trees(null, null, null, null, null, null, null)
                : new Dense(null, null, null, null, null, null, null, null);
    }
}
