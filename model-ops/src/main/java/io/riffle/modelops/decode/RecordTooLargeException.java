package io.riffle.modelops.decode;

/** A record larger than the events' max-record-size: refused before it is decoded. */
public final class RecordTooLargeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public RecordTooLargeException(String message) {
        super(message);
    }
}
