package io.riffle.modelops.spec;

import java.time.Duration;

/**
 * The {@code labels:} section: how a label names its event and carries its value, how long a
 * feature vector waits for it, and the implicit-negative rule: with {@code implicitNegativeAfter}
 * above zero, a vector still unlabelled after that long becomes a negative example (the
 * chargeback convention); {@link Duration#ZERO} turns the rule off.
 */
public record LabelsSpec(DataFormat format, String eventIdField, String labelField, Duration maxDelay,
                         Duration implicitNegativeAfter) {

    /** The defaults of every setting: the label-join options ({@code LabelJoinOptions}) take theirs from here. */
    public static LabelsSpec defaults() {
        return new LabelsSpec(DataFormat.AVRO, "eventId", "label", Duration.ofHours(1), Duration.ZERO);
    }

    public boolean implicitNegatives() {
        return !implicitNegativeAfter.isZero();
    }
}
