package io.riffle.schemas.serde;

/** A JSON record whose field has a value its schema type cannot hold (the record itself parsed). */
public class JsonFieldException extends SerdeException {
    private static final long serialVersionUID = 1L;

    public JsonFieldException(String message) {
        super(message);
    }

    /** A number that is NaN, infinite, or too large for its field's type. */
    public static final class NonFinite extends JsonFieldException {
        private static final long serialVersionUID = 1L;

        public NonFinite(String message) {
            super(message);
        }
    }
}
