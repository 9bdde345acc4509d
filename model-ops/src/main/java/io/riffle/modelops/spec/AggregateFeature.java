package io.riffle.modelops.spec;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A per-entity aggregate over each of {@code windows} (one column per window, windows ascending;
 * {@link Function#COUNT_BY} has {@link #width()} columns per window). The window of an event at
 * time t covers the entity's events in (t − W, t] including the event itself (as Flink SQL's
 * {@code RANGE ... PRECEDING AND CURRENT ROW}), approximated by time buckets (see
 * {@code io.riffle.modelops.features.EntityFeatureState}). {@code field} is null for
 * {@link Function#COUNT}, {@link Function#TIME_SINCE_PREVIOUS} and the session functions;
 * {@code windows} is empty for the latter three, which use {@code cap} (time since previous) or
 * {@code gap} (sessions) instead. {@code missing} replaces a null field value
 * ({@link MissingRule.Kind#FLAG} is not allowed here).
 *
 * <p>{@link Function#COUNT_BY} counts the events of each category of {@code field}: either of the
 * listed {@code values} (plus an "other" column for every other value, a missing one included), or,
 * when {@code top} &gt; 0, of the values a bounded top-{@code top} summary keeps, hashed into
 * {@code top} columns. {@code share} divides each count by the window's event count.
 */
public record AggregateFeature(Function function, String field, List<Duration> windows, boolean log1p,
                               MissingRule missing, Duration cap, List<String> values, int top, boolean share,
                               Duration gap) implements java.io.Serializable {

    public AggregateFeature {
        windows = List.copyOf(windows);
        values = values == null ? List.of() : List.copyOf(values);
    }

    /** An aggregate that is neither a count by category nor a session feature. */
    public AggregateFeature(Function function, String field, List<Duration> windows, boolean log1p, MissingRule missing,
                            Duration cap) {
        this(function, field, windows, log1p, missing, cap, List.of(), 0, false, null);
    }

    public enum Function {
        /** Events in the window. */
        COUNT(false),
        SUM(true),
        MEAN(true),
        /** Population standard deviation; 0 for a single event. */
        STD(true),
        MIN(true),
        MAX(true),
        /** Distinct values of the field (any type), estimated; see the features package for the bound. */
        DISTINCT(false),
        /**
         * Seconds since the entity's newest earlier event (0 for an event older than that one),
         * at most {@code cap}; the entity's first event gives {@code cap}. The "time since last
         * interaction" of recommendation features.
         */
        TIME_SINCE_PREVIOUS(false),
        /** Events per category of a categorical field in the window (listed values + other, or a hashed top-N). */
        COUNT_BY(false),
        /** Events in the entity's current session (a run of events no more than {@code gap} apart), this one included. */
        SESSION_EVENTS(false),
        /** Seconds from the current session's first event to this one. */
        SESSION_DURATION(false);

        private final boolean numeric;

        Function(boolean numeric) {
            this.numeric = numeric;
        }

        /** Whether the field must be a number. */
        public boolean numeric() {
            return numeric;
        }

        /** Whether it is a session feature (no windows, one column, read from the entity's current session). */
        public boolean session() {
            return this == SESSION_EVENTS || this == SESSION_DURATION;
        }

        /** Whether it has one column per window (or, for {@link #COUNT_BY}, {@code width} per window). */
        public boolean windowed() {
            return this != TIME_SINCE_PREVIOUS && !session();
        }

        public String spelling() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Whether this is a {@link Function#COUNT_BY} over a bounded top-N of values not known in advance. */
    public boolean hashedTop() {
        return function == Function.COUNT_BY && top > 0;
    }

    /** Columns per window: the listed values and "other", or the top-N's hash columns; 1 for every other function. */
    public int width() {
        if (function != Function.COUNT_BY) {
            return 1;
        }
        return top > 0 ? top : values.size() + 1;
    }

    /** Column name for one window, e.g. {@code amount_sum_1h}, {@code count_24h}, {@code time_since_previous}. */
    public String name(Duration window) {
        String base = switch (function) {
            case COUNT -> "count_" + Durations.format(window);
            case TIME_SINCE_PREVIOUS, SESSION_EVENTS, SESSION_DURATION -> function.spelling();
            case COUNT_BY -> throw new IllegalStateException("count_by has " + width() + " columns per window: use name(window, column)");
            default -> field + "_" + function.spelling() + "_" + Durations.format(window);
        };
        return log1p ? base + "_log1p" : base;
    }

    /**
     * Name of column {@code column} of {@code window}: for count_by e.g. {@code category_count_books_1h},
     * {@code category_count_other_1h}, {@code category_share_h3_1h}; {@link #name(Duration)} otherwise.
     */
    public String name(Duration window, int column) {
        if (function != Function.COUNT_BY) {
            return name(window);
        }
        String category = top > 0 ? "h" + column
                : column < values.size() ? FeatureSpec.columnSafe(values.get(column)) : "other";
        String base = field + (share ? "_share_" : "_count_") + category + "_" + Durations.format(window);
        return log1p ? base + "_log1p" : base;
    }
}
