package io.riffle.modelops.spec;

import java.time.Duration;

/**
 * {@code of / to}, each operand a field's value or an aggregate of the entity; {@code whenZero}
 * when the denominator is 0. Written {@code {of: amount, to: mean(amount, 24h)}}; the column is
 * named {@code <of>_to_<to>}, e.g. {@code amount_to_amount_mean_24h}.
 */
public record RatioFeature(Operand of, Operand to, double whenZero) implements java.io.Serializable {

    public String name() {
        return of.name() + "_to_" + to.name();
    }

    /**
     * A field's value ({@code function} null) or an aggregate: {@code count(W)} or
     * {@code sum|mean|std|min|max(field, W)}.
     */
    public record Operand(AggregateFeature.Function function, String field, Duration window) implements java.io.Serializable {

        public static Operand field(String field) {
            return new Operand(null, field, null);
        }

        public boolean isField() {
            return function == null;
        }

        public String name() {
            if (function == null) {
                return field;
            }
            return new AggregateFeature(function, field, java.util.List.of(window), false, MissingRule.ERROR, null).name(window);
        }

        /** The expression as the file writes it, canonical: {@code mean(amount, 24h)}. */
        public String expression() {
            if (function == null) {
                return field;
            }
            String w = Durations.format(window);
            return function == AggregateFeature.Function.COUNT ? "count(" + w + ")" : function.spelling() + "(" + field + ", " + w + ")";
        }
    }
}
