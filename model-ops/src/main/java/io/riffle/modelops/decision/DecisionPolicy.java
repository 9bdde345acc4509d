package io.riffle.modelops.decision;

import io.riffle.schemas.Decision;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;

import java.util.Locale;

/**
 * Per-model thresholds from the {@link ModelVersion} ({@code reviewThreshold},
 * {@code blockThreshold}) applied to its output. A score's decision is the most severe decision
 * of its CHAMPION models; SHADOW and CHALLENGER outputs are carried on the score but decide
 * nothing (canary routing arrives with the trainer).
 */
public final class DecisionPolicy {

    private DecisionPolicy() {}

    /** The decision one model's output asks for, ignoring its role. */
    public static Decision decide(ModelVersion model, float value) {
        if (value >= model.getBlockThreshold()) {
            return Decision.BLOCK;
        }
        if (value >= model.getReviewThreshold()) {
            return Decision.REVIEW;
        }
        return Decision.ALLOW;
    }

    /** Whether this model's output takes part in the decision. */
    public static boolean decides(ModelVersion model) {
        return model.getRole() == ModelRole.CHAMPION;
    }

    public static Decision mostSevere(Decision a, Decision b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    /**
     * A reason code naming the model, its output and the threshold crossed, e.g.
     * {@code fraud:v3:probability=0.931>=block:0.900}.
     */
    public static String reason(ModelVersion model, float value, Decision decision) {
        String output = model.getTask() == ModelTask.ANOMALY ? "anomaly" : "probability";
        double threshold = decision == Decision.BLOCK ? model.getBlockThreshold() : model.getReviewThreshold();
        return String.format(Locale.ROOT, "%s:v%d:%s=%.3f>=%s:%.3f", model.getName(), model.getVersion(), output,
                value, decision.name().toLowerCase(Locale.ROOT), threshold);
    }
}
