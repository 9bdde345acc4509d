package io.riffle.schemas;

/** Default topic names (DESIGN.md, "Topics and contracts"). */
public final class Topics {
    public static final String EVENTS = "riffle.events";
    public static final String FEATURES = "riffle.features";
    public static final String SCORES = "riffle.scores";
    public static final String ALERTS = "riffle.alerts";
    /** Top-k of MULTICLASS models, keyed by entity id. */
    public static final String RECOMMENDATIONS = "riffle.recommendations";
    public static final String LABELS = "riffle.labels";
    public static final String TRAINING = "riffle.training";
    /** Compacted, keyed by model name. */
    public static final String MODELS = "riffle.models";
    public static final String MODEL_EVENTS = "riffle.model-events";
    public static final String DEAD_LETTERS = "riffle.dead-letters";

    private Topics() {}
}
