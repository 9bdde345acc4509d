package io.riffle.modelops.trust;

/** A key file is missing, unreadable or not an Ed25519 key; the message says which file and what to do. */
public final class KeyFileException extends Exception {

    private static final long serialVersionUID = 1L;

    public KeyFileException(String message) {
        super(message);
    }

    public KeyFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
