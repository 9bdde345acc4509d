package io.riffle.modelops.spec;

/**
 * Features of the event time (UTC) as a sine/cosine pair, so 23:59 sits next to 00:00 and Sunday
 * next to Monday. Both are continuous: the hour includes the minutes, the weekday the time of day.
 */
public enum TimeFeature {
    /** {@code hour_sin}, {@code hour_cos}: angle = 2π · (time of day) / 24 h. */
    HOUR_OF_DAY("hour"),
    /** {@code weekday_sin}, {@code weekday_cos}: angle = 2π · (days since Monday 00:00) / 7. */
    DAY_OF_WEEK("weekday");

    private final String prefix;

    TimeFeature(String prefix) {
        this.prefix = prefix;
    }

    /** Prefix of the two column names. */
    public String prefix() {
        return prefix;
    }

    /** The file's spelling, {@code hour_of_day} or {@code day_of_week}. */
    public String spelling() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
