package io.riffle.schemas.serde;

/** A record could not be encoded or decoded; the message names the record type and the cause. */
public class SerdeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SerdeException(String message) {
        super(message);
    }

    public SerdeException(String message, Throwable cause) {
        super(message, cause);
    }
}
