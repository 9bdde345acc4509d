package io.riffle.modelops.decode;

import org.apache.avro.generic.GenericRecord;

/**
 * What {@link EventDecoder} made of one record: the event with its entity key, id and event time,
 * or a refusal. A refusal's {@link #error()} is what a dead letter carries (its class and message,
 * which names the field or the cause); {@link #record()} is then the event when it was decoded
 * before being refused (e.g. an empty key), so that its values can be hashed out of the message.
 */
public final class DecodedEvent {
    private final GenericRecord record;
    private final String key;
    private final Object id;
    private final long eventTime;
    private final Throwable error;

    private DecodedEvent(GenericRecord record, String key, Object id, long eventTime, Throwable error) {
        this.record = record;
        this.key = key;
        this.id = id;
        this.eventTime = eventTime;
        this.error = error;
    }

    static DecodedEvent accepted(GenericRecord record, String key, Object id, long eventTime) {
        return new DecodedEvent(record, key, id, eventTime, null);
    }

    /** @param record the event when it was decoded, else null */
    static DecodedEvent refused(Throwable error, GenericRecord record) {
        return new DecodedEvent(record, null, null, 0L, error);
    }

    public boolean isRefused() {
        return error != null;
    }

    /** Why the record was refused, or null. */
    public Throwable error() {
        return error;
    }

    /** The refusal's message (the error's, or its name when it has none), or null when accepted. */
    public String message() {
        return error == null ? null : error.getMessage() == null ? error.toString() : error.getMessage();
    }

    /** The event; for a refusal, the event when it was decoded before being refused, else null. */
    public GenericRecord record() {
        return record;
    }

    /** The entity key as text (never empty); null for a refusal. */
    public String key() {
        return key;
    }

    /** The event id's value, or null when the pipeline has no id field (or for a refusal). */
    public Object eventId() {
        return id;
    }

    /** Event time, epoch milliseconds (0 for a refusal). */
    public long eventTime() {
        return eventTime;
    }

    @Override
    public String toString() {
        return error != null ? "DecodedEvent{refused=" + message() + "}"
                : "DecodedEvent{key=" + key + ", eventTime=" + eventTime + "}";
    }
}
