package io.riffle.jobs.serde;

import io.riffle.jobs.operators.LabelJoiner;
import io.riffle.modelops.decode.EventTimeOutOfRangeException;
import io.riffle.modelops.decode.RecordTooLargeException;
import io.riffle.modelops.features.FeatureExtractionException;
import io.riffle.modelops.features.NonFiniteValueException;
import io.riffle.modelops.serving.ModelScoringException;
import io.riffle.schemas.serde.JsonFieldException;
import org.apache.avro.AvroTypeException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterReasonTest {

    @Test
    void everyErrorClassTheJobsWriteHasItsReason() {
        assertThat(DeadLetterReason.of(IOException.class.getName())).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(DeadLetterReason.of(AvroTypeException.class.getName())).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(DeadLetterReason.of(StackOverflowError.class.getName())).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(DeadLetterReason.of(RecordTooLargeException.class.getName())).isEqualTo(DeadLetterReason.OVERSIZE);
        assertThat(DeadLetterReason.of(EventTimeOutOfRangeException.class.getName()))
                .isEqualTo(DeadLetterReason.OUT_OF_RANGE_TIME);
        assertThat(DeadLetterReason.of(NonFiniteValueException.class.getName()))
                .isEqualTo(DeadLetterReason.NON_FINITE_VALUE);
        assertThat(DeadLetterReason.of(JsonFieldException.NonFinite.class.getName()))
                .isEqualTo(DeadLetterReason.NON_FINITE_VALUE);
        assertThat(DeadLetterReason.of(JsonFieldException.class.getName())).isEqualTo(DeadLetterReason.INVALID_FIELD);
        assertThat(DeadLetterReason.of(FeatureExtractionException.class.getName()))
                .isEqualTo(DeadLetterReason.INVALID_FIELD);
        assertThat(DeadLetterReason.of(IllegalArgumentException.class.getName()))
                .isEqualTo(DeadLetterReason.INVALID_FIELD);
        assertThat(DeadLetterReason.of("io.riffle.jobs.DuplicateEvent")).isEqualTo(DeadLetterReason.DUPLICATE);
        assertThat(DeadLetterReason.of("io.riffle.jobs.NoModelLoaded")).isEqualTo(DeadLetterReason.NO_MODEL);
        assertThat(DeadLetterReason.of(ModelScoringException.class.getName()))
                .isEqualTo(DeadLetterReason.MODEL_FAILURE);
        assertThat(DeadLetterReason.of("ai.onnxruntime.OrtException")).isEqualTo(DeadLetterReason.MODEL_FAILURE);
        assertThat(DeadLetterReason.of(LabelJoiner.UNMATCHED_LABEL)).isEqualTo(DeadLetterReason.UNMATCHED_LABEL);
        assertThat(DeadLetterReason.of("java.lang.IllegalStateException")).isEqualTo(DeadLetterReason.OTHER);
        assertThat(DeadLetterReason.of((String) null)).isEqualTo(DeadLetterReason.OTHER);
    }

    @Test
    void codesAreTheLabelValuesDashboardsUse() {
        assertThat(Arrays.stream(DeadLetterReason.values()).map(DeadLetterReason::code)).containsExactly(
                "undecodable", "oversize", "out_of_range_time", "non_finite_value", "invalid_field", "duplicate",
                "no_model", "model_failure", "unmatched_label", "other");
    }
}
