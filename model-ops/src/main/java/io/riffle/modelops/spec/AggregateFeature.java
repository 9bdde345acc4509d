package io.riffle.modelops.spec;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A per-entity aggregate over each of {@code windows} (one column per window, windows ascending).
 * The window of an event at time t covers the entity's events in (t − W, t] including the event
 * itself (as Flink SQL's {@code RANGE ... PRECEDING AND CURRENT ROW}), approximated by time buckets
 * (see {@code io.riffle.modelops.features.EntityFeatureState}). {@code field} is null for
 * {@link Function#COUNT} and {@link Function#TIME_SINCE_PREVIOUS}; {@code windows} is empty for the
 * latter, which uses {@code cap} instead. {@code missing} replaces a null field value
 * ({@link MissingRule.Kind#FLAG} is not allowed here).
 */
public record AggregateFeature(Function function, String field, List<Duration> windows, boolean log1p,
                               MissingRule missing, Duration cap) implements java.io.Serializable {

    public AggregateFeature {
        windows = List.copyOf(windows);
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
         * at most {@code cap}; the entity's first event gives {@code cap}.
         */
        TIME_SINCE_PREVIOUS(false);

        private final boolean numeric;

        Function(boolean numeric) {
            this.numeric = numeric;
        }

        /** Whether the field must be a number. */
        public boolean numeric() {
            return numeric;
        }

        public String spelling() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Column name for one window, e.g. {@code amount_sum_1h}, {@code count_24h}, {@code time_since_previous}. */
    public String name(Duration window) {
        String base = switch (function) {
            case COUNT -> "count_" + Durations.format(window);
            case TIME_SINCE_PREVIOUS -> "time_since_previous";
            default -> field + "_" + function.spelling() + "_" + Durations.format(window);
        };
        return log1p ? base + "_log1p" : base;
    }
}
