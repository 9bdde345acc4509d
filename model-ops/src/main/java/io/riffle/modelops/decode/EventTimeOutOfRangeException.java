package io.riffle.modelops.decode;

/** An event whose event time lies outside the pipeline's bounds (max-future, max-age, before 1970). */
public final class EventTimeOutOfRangeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public EventTimeOutOfRangeException(String message) {
        super(message);
    }
}
