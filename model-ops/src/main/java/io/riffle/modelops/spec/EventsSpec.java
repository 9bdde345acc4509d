package io.riffle.modelops.spec;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code events:} section. {@code schemaFile} is resolved against the pipeline file's folder;
 * the key field names the entity whose windowed aggregates are kept (the Flink job's keyBy); the
 * id field is what labels refer to; the time field is read in {@code timeUnit}.
 */
public record EventsSpec(Path schemaFile, DataFormat format, String keyField, String idField,
                         String timeField, TimeUnit timeUnit, Duration allowedLateness) {

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
