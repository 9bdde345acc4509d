package io.riffle.modelops.spec;

/**
 * The Kafka timestamp of what the scoring job writes (scores, alerts, features, dead letters).
 * Kafka's time-based retention deletes a segment once its newest timestamp is older than
 * {@code retention.ms}: output stamped with a replayed event's months-old time would be deleted
 * minutes after it was written, so the time of writing is the default.
 */
public enum OutputTimestamp {
    /** When the sink writes the record (the producer's clock). */
    WRITE_TIME,
    /** The input record's Kafka timestamp (scores and features; the others get the write time). */
    INGEST_TIME,
    /** The event's own time, as the job's watermarks see it (records with none get the write time). */
    EVENT_TIME
}
