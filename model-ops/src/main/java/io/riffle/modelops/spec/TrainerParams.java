package io.riffle.modelops.spec;

import java.util.List;

/**
 * A model's {@code trainer.params}, typed for its kind: {@link Dense} for {@code logistic},
 * {@code mlp} and {@code autoencoder}, {@link Trees} for {@code gbdt}, and {@link Multiclass} for
 * every kind of a {@code multiclass} model (the dense settings plus the class vocabulary's bound;
 * {@code popularity} takes only the bound and its segment). A null field was not
 * written in the file and keeps the kind's default, which the trainer owns ({@code
 * TrainerConfig.defaults}), so no default is restated here. Keys are the kebab-case of the
 * field names; {@link #keys} lists those a kind accepts.
 */
public sealed interface TrainerParams permits TrainerParams.Dense, TrainerParams.Trees, TrainerParams.Multiclass {

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

    /**
     * A multiclass model's settings: {@code dense} for the softmax kinds ({@code logistic},
     * {@code mlp}; all null for {@code popularity}), {@code maxClasses} the class vocabulary's bound
     * (the window's most frequent labels are kept), and for {@code popularity} the categorical
     * feature ({@code segment}) whose one-hot columns split the window into segments (null: one
     * global ranking).
     */
    record Multiclass(Dense dense, Integer maxClasses, String segment) implements TrainerParams {

        /** The largest class vocabulary the file may ask for. */
        public static final int MAX_CLASSES = 100_000;

        @Override
        public Integer patience() {
            return dense.patience();
        }

        @Override
        public Boolean classWeighting() {
            return dense.classWeighting();
        }

        @Override
        public Long seed() {
            return dense.seed();
        }
    }

    /** The keys a {@code multiclass} model of {@code kind} accepts under {@code params}. */
    static List<String> multiclassKeys(ModelKind kind) {
        if (kind == ModelKind.POPULARITY) {
            return List.of("max-classes", "segment");
        }
        List<String> keys = new java.util.ArrayList<>(keys(kind));
        keys.add("max-classes");
        return keys;
    }

    /** The keys {@code kind} accepts under {@code params}. */
    static List<String> keys(ModelKind kind) {
        return kind == ModelKind.GBDT
                ? List.of("trees", "max-depth", "eta", "threads", "patience", "class-weighting", "seed")
                : List.of("hidden-layers", "max-epochs", "batch-size", "learning-rate", "l2", "patience",
                        "class-weighting", "seed");
    }

    /** Nothing written: every setting at the kind's default. */
    static TrainerParams defaults(ModelKind kind) {
        if (kind == ModelKind.POPULARITY) {
            return new Multiclass(new Dense(null, null, null, null, null, null, null, null), null, null);
        }
        return kind == ModelKind.GBDT ? new Trees(null, null, null, null, null, null, null)
                : new Dense(null, null, null, null, null, null, null, null);
    }
}
