package io.riffle.modelops.spec;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code events:} section. {@code schemaFile} is resolved against the pipeline file's folder;
 * the key field names the entity whose windowed aggregates are kept (the Flink job's keyBy); the
 * id field is what labels refer to; the time field is read in {@code timeUnit}. The guards say
 * which records become dead letters instead of scores: larger than {@code maxRecordBytes}, an
 * event time more than {@code maxFuture} after the record's Kafka timestamp or more than
 * {@code maxAge} before it ({@link Duration#ZERO}: no bound), and an event id seen again for the
 * same entity within {@code duplicates}.
 */
public record EventsSpec(Path schemaFile, DataFormat format, String keyField, String idField,
                         String timeField, TimeUnit timeUnit, Duration allowedLateness,
                         int maxRecordBytes, Duration maxFuture, Duration maxAge, Duplicates duplicates) {

    /** Default {@code max-record-size}: far above any event a feature spec reads, far below Kafka's 1 MiB request limit. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 256 * 1024;
    /** Default {@code time.max-future}: clocks of producers and brokers disagree by seconds, not hours. */
    public static final Duration DEFAULT_MAX_FUTURE = Duration.ofHours(1);

    /**
     * What happens to an event whose id the same entity already had within {@code within} of event
     * time (by its newest event): a dead letter "duplicate event id", or scored again like any
     * event. {@code within} {@link Duration#ZERO} turns the check off.
     */
    public record Duplicates(Duration within, Then then) {
        public static final Duration DEFAULT_WITHIN = Duration.ofMinutes(10);

        /** What becomes of a duplicate. */
        public enum Then { DEAD_LETTER, SCORE }

        public static Duplicates defaults() {
            return new Duplicates(DEFAULT_WITHIN, Then.DEAD_LETTER);
        }

        /** Whether duplicates are looked for at all (scoring them again needs no record of past ids). */
        public boolean checked() {
            return !within.isZero() && then == Then.DEAD_LETTER;
        }
    }

    /** How the event-time field is written. */
    public enum TimeUnit {
        /** A long (or int) of milliseconds since 1970-01-01T00:00Z. */
        EPOCH_MILLIS,
        /** A long, int or double of seconds since 1970-01-01T00:00Z. */
        EPOCH_SECONDS,
        /** A string such as {@code 2026-11-22T10:15:30Z} or {@code 2026-11-22T10:15:30.5+01:00}. */
        ISO_8601
    }
}
