package io.riffle.modelops.validation;

/** A model version failed validation; the message is the human-readable reason. */
public class ModelRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    public ModelRejectedException(String reason) {
        super(reason);
    }

    public ModelRejectedException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
