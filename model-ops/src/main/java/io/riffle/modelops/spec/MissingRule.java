package io.riffle.modelops.spec;

/**
 * What a feature does when its field is null (or absent from a JSON event). Written in the file as
 * {@code missing: flag} or {@code missing: value <x>}; without a rule a missing value is an error
 * naming the field and the event.
 */
public record MissingRule(Kind kind, double value) implements java.io.Serializable {

    public enum Kind {
        /** No rule: a missing value fails the event. */
        ERROR,
        /** Substitute {@code value} and go on as if it had been sent. */
        VALUE,
        /** Use 0 and set an extra {@code <field>_missing} column to 1. */
        FLAG
    }

    public static final MissingRule ERROR = new MissingRule(Kind.ERROR, 0.0);
    public static final MissingRule FLAG = new MissingRule(Kind.FLAG, 0.0);

    public static MissingRule value(double v) {
        return new MissingRule(Kind.VALUE, v);
    }

    /** The value used in place of a missing one (0 for a flag). */
    public double substitute() {
        return kind == Kind.VALUE ? value : 0.0;
    }
}
