package io.riffle.modelops.serving;

/** ONNX Runtime failed while scoring a batch with a model that had passed validation. */
public class ModelScoringException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ModelScoringException(String message, Throwable cause) {
        super(message, cause);
    }

    public ModelScoringException(String message) {
        super(message);
    }
}
