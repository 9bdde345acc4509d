package io.riffle.modelops.features;

import io.riffle.modelops.spec.Durations;
import io.riffle.modelops.spec.EventsSpec;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;

/**
 * Which event times a pipeline accepts: positive, at most {@code maxFuture} after the record's
 * Kafka timestamp (a producer's clock or a unit mix-up, e.g. microseconds read as milliseconds,
 * would otherwise push the watermark past every later event), and, when {@code maxAge} is set,
 * at most that long before it. A record with no Kafka timestamp (older producers write -1) is
 * measured against the wall clock.
 */
public final class EventTimeBounds implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final long maxFutureMs;
    /** 0: no bound. */
    private final long maxAgeMs;

    public EventTimeBounds(String field, Duration maxFuture, Duration maxAge) {
        this.field = field;
        this.maxFutureMs = maxFuture.toMillis();
        this.maxAgeMs = maxAge.toMillis();
    }

    public static EventTimeBounds of(EventsSpec events) {
        return new EventTimeBounds(events.timeField(), events.maxFuture(), events.maxAge());
    }

    /**
     * Null when {@code eventTime} is acceptable for a record written at {@code kafkaTimestamp},
     * else why not, naming the field and the value (e.g. for a dead letter).
     */
    public String violation(long eventTime, long kafkaTimestamp) {
        if (eventTime <= 0) {
            return "event-time field '" + field + "' is " + eventTime + " (" + show(eventTime)
                    + "): not after 1970-01-01T00:00:00Z";
        }
        long reference = kafkaTimestamp >= 0 ? kafkaTimestamp : System.currentTimeMillis();
        String against = kafkaTimestamp >= 0 ? "the record's Kafka timestamp " : "the clock ";
        if (eventTime - reference > maxFutureMs) {
            return "event-time field '" + field + "' is " + eventTime + " (" + show(eventTime) + "), more than "
                    + Durations.format(Duration.ofMillis(maxFutureMs)) + " after " + against + show(reference)
                    + " (events.time.max-future)";
        }
        if (maxAgeMs > 0 && reference - eventTime > maxAgeMs) {
            return "event-time field '" + field + "' is " + eventTime + " (" + show(eventTime) + "), more than "
                    + Durations.format(Duration.ofMillis(maxAgeMs)) + " before " + against + show(reference) + " (events.time.max-age)";
        }
        return null;
    }

    private static String show(long epochMillis) {
        try {
            return Instant.ofEpochMilli(epochMillis).toString();
        } catch (RuntimeException e) {
            return "out of range";
        }
    }
}
