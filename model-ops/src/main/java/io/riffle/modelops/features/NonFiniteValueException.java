package io.riffle.modelops.features;

/** A numeric field that is NaN, infinite or too large for a float: its features cannot be computed. */
public final class NonFiniteValueException extends FeatureExtractionException {

    private static final long serialVersionUID = 1L;

    public NonFiniteValueException(String field, String message) {
        super(field, message);
    }
}
