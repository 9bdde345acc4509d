package io.riffle.modelops.spec;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code trainer:} section: the sliding training window (by time and by count), the schedule
 * (every {@code retrainEvery}, or after {@code retrainAfterLabels} new labels, whichever first),
 * the default gate margin (a model may override it) and the private key the trainers sign their
 * versions with (an absolute path; null: unsigned).
 */
public record TrainerSpec(Duration window, int maxExamples, Duration retrainEvery, int retrainAfterLabels,
                          double gateMargin, Path signingKey) {

    public static TrainerSpec defaults() {
        return new TrainerSpec(Duration.ofHours(24), 200_000, Duration.ofMinutes(10), 10_000, 0.002, null);
    }
}
