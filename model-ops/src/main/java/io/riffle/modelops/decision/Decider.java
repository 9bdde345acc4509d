package io.riffle.modelops.decision;

import io.riffle.schemas.Decision;
import io.riffle.schemas.ModelVersion;

import java.util.ArrayList;
import java.util.List;

/**
 * The decide stage: one row's outputs of every serving model → ALLOW / REVIEW / BLOCK with reason
 * codes. Champions decide (the most severe of their decisions wins), shadow and challenger models
 * are only carried on the score. A deciding model whose output is not finite has failed on the
 * row: it decides {@code onModelFailure} and its reason code says so, even when that is ALLOW.
 * A flagged row's reason codes also name the features furthest from the deciding model's training
 * data ({@link FeatureReasons}).
 */
public final class Decider {

    /** A row's decision and its reason codes (an immutable empty list when it is a plain ALLOW). */
    public record Verdict(Decision decision, List<String> reasons) {
        static final Verdict ALLOW = new Verdict(Decision.ALLOW, List.of());
    }

    private final Decision onModelFailure;

    public Decider(Decision onModelFailure) {
        this.onModelFailure = onModelFailure;
    }

    public Decision onModelFailure() {
        return onModelFailure;
    }

    /**
     * Decides row {@code row}: {@code outputs[m][row]} is the output of the model whose version is
     * {@code versions[m]}; the row's features are {@code features[offset, offset + n)}.
     */
    public Verdict decide(ModelVersion[] versions, FeatureReasons[] explainers, float[][] outputs, int row,
                          float[] features, int offset) {
        Decision decision = Decision.ALLOW;
        List<String> reasons = null;
        for (int m = 0; m < versions.length; m++) {
            ModelVersion mv = versions[m];
            if (!DecisionPolicy.decides(mv)) {
                continue;
            }
            float value = outputs[m][row];
            Decision d = DecisionPolicy.decide(mv, value, onModelFailure);
            // A failure is reported even when it is configured to ALLOW.
            if (d != Decision.ALLOW || !Float.isFinite(value)) {
                if (reasons == null) {
                    reasons = new ArrayList<>(1 + FeatureReasons.TOP);
                }
                reasons.add(DecisionPolicy.reason(mv, value, d));
                explainers[m].explain(features, offset, reasons);
                decision = DecisionPolicy.mostSevere(decision, d);
            }
        }
        return reasons == null ? Verdict.ALLOW : new Verdict(decision, reasons);
    }
}
