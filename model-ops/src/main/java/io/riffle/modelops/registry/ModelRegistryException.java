package io.riffle.modelops.registry;

/** Reading or writing the models topic failed; the message says which topic and broker. */
public class ModelRegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ModelRegistryException(String message, Throwable cause) {
        super(message, cause);
    }

    public ModelRegistryException(String message) {
        super(message);
    }
}
