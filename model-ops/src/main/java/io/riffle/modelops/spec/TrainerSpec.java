package io.riffle.modelops.spec;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code trainer:} section: the sliding training window (by time and by count), the schedule
 * (every {@code retrainEvery}, or after {@code retrainAfterLabels} new labels, whichever first),
 * the default gate margin (a model may override it), the private key the trainers sign their
 * versions with (an absolute path; null: unsigned), the least data a round needs
 * ({@code minExamples} examples of which {@code minPositives} positive), how a round splits the
 * window (the newest {@code holdoutFraction} is the gate's holdout, the newest
 * {@code validationFraction} of the rest stops dense fits early) and the drift detector.
 *
 * <p>{@code holdoutFraction} {@value #NO_HOLDOUT} means no holdout: every round fits on the whole
 * window and, with nothing to judge it on, its candidate replaces the champion without a gate.
 */
public record TrainerSpec(Duration window, int maxExamples, Duration retrainEvery, int retrainAfterLabels,
                          double gateMargin, Path signingKey, int minExamples, int minPositives,
                          double holdoutFraction, double validationFraction, DriftSpec drift) {

    /** Least and most a holdout or validation share may be: each side of a split keeps a share of the window. */
    public static final double MIN_FRACTION = 0.01;
    public static final double MAX_FRACTION = 0.49;
    /** The holdout fraction that means no holdout (rounds fit on the whole window, no gate). */
    public static final double NO_HOLDOUT = 0.0;

    public TrainerSpec {
        if (minExamples < 1 || minPositives < 0) {
            throw new IllegalArgumentException("min examples must be >= 1 and min positives >= 0, got "
                    + minExamples + " and " + minPositives);
        }
        if (!(holdoutFraction == NO_HOLDOUT || holdoutFraction >= MIN_FRACTION && holdoutFraction <= MAX_FRACTION)
                || !(validationFraction >= MIN_FRACTION && validationFraction <= MAX_FRACTION)) {
            throw new IllegalArgumentException("holdout and validation fractions must be in [" + MIN_FRACTION + ", "
                    + MAX_FRACTION + "] (a holdout fraction may also be " + NO_HOLDOUT + ": none), got "
                    + holdoutFraction + " and " + validationFraction);
        }
        if (drift == null) {
            throw new IllegalArgumentException("drift: use DriftSpec.off() for none");
        }
    }

    public static TrainerSpec defaults() {
        return new TrainerSpec(Duration.ofHours(24), 200_000, Duration.ofMinutes(10), 10_000, 0.002, null,
                1_000, 20, 0.2, 0.15, DriftSpec.defaults());
    }
}
