package io.riffle.modelops.decision;

import io.riffle.schemas.Decision;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Per-model thresholds from the {@link ModelVersion} ({@code reviewThreshold},
 * {@code blockThreshold}) applied to its output. A score's decision is the most severe decision
 * of its CHAMPION models; SHADOW and CHALLENGER outputs are carried on the score but decide
 * nothing (canary routing arrives with the trainer).
 *
 * <p>A model whose output is not finite (NaN, ±Infinity) has failed on that record, and its
 * thresholds say nothing: NaN compares false with every threshold and would pass as ALLOW, +Inf
 * would BLOCK on a broken model. Such an output decides a fallback instead
 * ({@link #DEFAULT_ON_FAILURE} unless configured), and its reason code says the model failed.
 */
public final class DecisionPolicy {

    /** What a non-finite output decides unless the caller chooses otherwise: a person looks at it. */
    public static final Decision DEFAULT_ON_FAILURE = Decision.REVIEW;

    private DecisionPolicy() {}

    /**
     * The decision one model's output asks for, ignoring its role; {@link #DEFAULT_ON_FAILURE}
     * for a non-finite output.
     */
    public static Decision decide(ModelVersion model, float value) {
        return decide(model, value, DEFAULT_ON_FAILURE);
    }

    /**
     * The decision one model's output asks for, ignoring its role; {@code onFailure} for a
     * non-finite output (ALLOW there fails open: a broken model then lets everything through).
     */
    public static Decision decide(ModelVersion model, float value, Decision onFailure) {
        if (!Float.isFinite(value)) {
            return onFailure;
        }
        if (value >= model.getBlockThreshold()) {
            return Decision.BLOCK;
        }
        if (value >= model.getReviewThreshold()) {
            return Decision.REVIEW;
        }
        return Decision.ALLOW;
    }

    /**
     * Whether this model's output takes part in the decision: champions do, except multiclass
     * models, whose output is a ranking (recommendations), not a risk.
     */
    public static boolean decides(ModelVersion model) {
        return model.getRole() == ModelRole.CHAMPION && model.getTask() != ModelTask.MULTICLASS;
    }

    public static Decision mostSevere(Decision a, Decision b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    /**
     * A reason code naming the model, its output and the threshold crossed, e.g.
     * {@code fraud:v3:probability=0.931>=block:0.900}; for a non-finite output, that the model
     * failed and what that decided, e.g. {@code fraud:v3:output-not-finite=NaN->review}.
     */
    public static String reason(ModelVersion model, float value, Decision decision) {
        if (!Float.isFinite(value)) {
            return failureReason(model, value, decision);
        }
        String output = model.getTask() == ModelTask.ANOMALY ? "anomaly" : "probability";
        double threshold = decision == Decision.BLOCK ? model.getBlockThreshold() : model.getReviewThreshold();
        StringBuilder code = new StringBuilder(48).append(model.getName()).append(":v").append(model.getVersion())
                .append(':').append(output).append('=');
        fixed(code, value, 3, false).append(">=").append(decision.name().toLowerCase(Locale.ROOT)).append(':');
        return fixed(code, threshold, 3, false).toString();
    }

    private static String failureReason(ModelVersion model, float value, Decision decision) {
        // Float.toString spells the three values NaN, Infinity and -Infinity.
        return new StringBuilder(56).append(model.getName()).append(":v").append(model.getVersion())
                .append(":output-not-finite=").append(value).append("->")
                .append(decision.name().toLowerCase(Locale.ROOT)).toString();
    }

    /**
     * Appends {@code value} with {@code decimals} digits after the point, exactly as
     * {@code String.format(Locale.ROOT, "%.3f")} (or {@code "%+.1f"} with {@code plus}) would, at a
     * fraction of its cost: a flagged record's codes are built on the scorer's hot path.
     */
    static StringBuilder fixed(StringBuilder to, double value, int decimals, boolean plus) {
        if (!Double.isFinite(value)) {
            return to.append(String.format(Locale.ROOT, (plus ? "%+." : "%.") + decimals + "f", value));
        }
        // Formatter rounds the shortest decimal representation (Double.toString) half up, as BigDecimal.valueOf does.
        boolean negative = value < 0 || (value == 0 && 1 / value < 0);
        if (negative) {
            to.append('-');
        } else if (plus) {
            to.append('+');
        }
        double magnitude = Math.abs(value);
        long rounded = roundedHalfUp(magnitude, decimals);
        if (rounded < 0) {
            return to.append(BigDecimal.valueOf(magnitude).setScale(decimals, RoundingMode.HALF_UP).toPlainString());
        }
        long scale = POWERS_OF_TEN[decimals];
        to.append(rounded / scale);
        if (decimals > 0) {
            to.append('.');
            long fraction = rounded % scale;
            for (long digit = scale / 10; digit > 0; digit /= 10) {
                to.append((char) ('0' + fraction / digit % 10));
            }
        }
        return to;
    }

    private static final long[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000};

    /**
     * {@code value} (finite, not negative) times 10^decimals rounded half up, as BigDecimal rounds
     * its decimal string, without building that string; -1 where that cannot be told apart from a
     * tie in double arithmetic (or the digits would not fit), for the exact path to decide. The
     * decimal string is within half an ulp of {@code value} and the product's one rounding adds
     * at most another ulp's worth, so only a product within a few ulps of a half is in doubt.
     */
    static long roundedHalfUp(double value, int decimals) {
        if (decimals < 0 || decimals >= POWERS_OF_TEN.length) {
            return -1;
        }
        double scaled = value * POWERS_OF_TEN[decimals];
        if (!(scaled < 1e15)) {
            return -1;
        }
        double whole = Math.floor(scaled);
        double fraction = scaled - whole;
        if (Math.abs(fraction - 0.5) <= scaled * 1e-15 + Double.MIN_NORMAL) {
            return -1;
        }
        return (long) whole + (fraction > 0.5 ? 1 : 0);
    }
}
