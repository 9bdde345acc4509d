package io.riffle.modelops.features;

/**
 * An event whose features cannot be computed: a value of the wrong type, or a missing value with
 * no missing rule. The message names the field and the event; the scoring job turns it into a
 * dead letter and goes on.
 */
public class FeatureExtractionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String field;

    public FeatureExtractionException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The field at fault. */
    public String field() {
        return field;
    }
}
