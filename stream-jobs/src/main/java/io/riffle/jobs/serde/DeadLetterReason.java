package io.riffle.jobs.serde;

import io.riffle.schemas.DeadLetter;

import java.util.Locale;
import java.util.Map;

/**
 * Why a record became a dead letter, as a short code for metrics and dashboards (the label
 * {@code reason} of {@code riffleDeadLetters}). The one place that maps a {@link DeadLetter}'s
 * error class to a code: a new error class gets its code here, everything unknown is
 * {@link #OTHER}.
 */
public enum DeadLetterReason {
    /** The value could not be decoded (not Avro of the schema, not JSON, a tombstone). */
    UNDECODABLE,
    /** Larger than the events' max-record-size. */
    OVERSIZE,
    /** The event time is outside the pipeline's bounds. */
    OUT_OF_RANGE_TIME,
    /** A numeric field that is NaN, infinite or does not fit a float. */
    NON_FINITE_VALUE,
    /** A field missing, empty or of the wrong type. */
    INVALID_FIELD,
    /** An event id the entity already had within the duplicate window. */
    DUPLICATE,
    /** No model was loaded while the record waited. */
    NO_MODEL,
    /** A serving model failed on the record's batch. */
    MODEL_FAILURE,
    /** A label whose event's features never came, or had expired. */
    UNMATCHED_LABEL,
    /** Anything else. */
    OTHER;

    /** Error classes (the {@link DeadLetter#getErrorClass()} the jobs write) and their reason. */
    private static final Map<String, DeadLetterReason> BY_CLASS = Map.ofEntries(
            Map.entry("io.riffle.modelops.decode.RecordTooLargeException", OVERSIZE),
            Map.entry("io.riffle.modelops.decode.EventTimeOutOfRangeException", OUT_OF_RANGE_TIME),
            Map.entry("io.riffle.modelops.features.NonFiniteValueException", NON_FINITE_VALUE),
            Map.entry("io.riffle.modelops.features.FeatureExtractionException", INVALID_FIELD),
            Map.entry("java.lang.IllegalArgumentException", INVALID_FIELD),
            Map.entry("java.lang.NumberFormatException", INVALID_FIELD),
            Map.entry("java.lang.ClassCastException", INVALID_FIELD),
            Map.entry("java.io.IOException", UNDECODABLE),
            Map.entry("java.io.EOFException", UNDECODABLE),
            Map.entry("java.lang.StackOverflowError", UNDECODABLE),
            Map.entry("io.riffle.schemas.serde.SerdeException", UNDECODABLE),
            Map.entry("io.riffle.schemas.serde.JsonFieldException", INVALID_FIELD),
            Map.entry("io.riffle.schemas.serde.JsonFieldException$NonFinite", NON_FINITE_VALUE),
            Map.entry("io.riffle.jobs.DuplicateEvent", DUPLICATE),
            Map.entry("io.riffle.jobs.NoModelLoaded", NO_MODEL),
            Map.entry("io.riffle.modelops.serving.ModelScoringException", MODEL_FAILURE),
            Map.entry("ai.onnxruntime.OrtException", MODEL_FAILURE),
            Map.entry("io.riffle.jobs.UnmatchedLabel", UNMATCHED_LABEL));

    /** The code as a metric label value: lower case, e.g. {@code out_of_range_time}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DeadLetterReason of(DeadLetter letter) {
        return of(letter.getErrorClass());
    }

    /** The reason of an error class name (null or unknown: {@link #OTHER}). */
    public static DeadLetterReason of(String errorClass) {
        if (errorClass == null) {
            return OTHER;
        }
        DeadLetterReason known = BY_CLASS.get(errorClass);
        if (known != null) {
            return known;
        }
        // Decoders' own exceptions (Avro, Jackson) are all "could not decode".
        if (errorClass.startsWith("org.apache.avro.") || errorClass.startsWith("com.fasterxml.jackson.")) {
            return UNDECODABLE;
        }
        if (errorClass.startsWith("ai.onnxruntime.")) {
            return MODEL_FAILURE;
        }
        return OTHER;
    }
}
