package io.riffle.modelops.spec;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as pipeline files write them: a whole number and a unit, {@code 500ms}, {@code 90s},
 * {@code 5m}, {@code 1h}, {@code 24h}, {@code 7d}. A bare number is refused on purpose: "30" could
 * be seconds or milliseconds, and guessing wrong silently changes a window.
 */
public final class Durations {

    /** What the error messages say is allowed. */
    public static final String ALLOWED = "a whole number followed by ms, s, m, h or d (e.g. 500ms, 90s, 5m, 1h, 24h, 7d)";

    private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final long SECOND = 1000L;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;

    private Durations() {}

    /** Parses {@code text}, or throws {@link IllegalArgumentException} saying what is allowed. */
    public static Duration parse(String text) {
        Matcher m = text == null ? null : FORMAT.matcher(text.trim());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; expected " + ALLOWED);
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large a duration");
        }
        long unit = switch (m.group(2)) {
            case "ms" -> 1L;
            case "s" -> SECOND;
            case "m" -> MINUTE;
            case "h" -> HOUR;
            default -> DAY;
        };
        try {
            return Duration.ofMillis(Math.multiplyExact(n, unit));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large a duration");
        }
    }

    /**
     * The canonical spelling used in feature names, independent of how the file spelled it
     * ({@code 24h} and {@code 1d} both give {@code 24h}): days from two days up, else the largest
     * of h, m, s, ms that divides exactly.
     */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms >= 2 * DAY && ms % DAY == 0) {
            return ms / DAY + "d";
        }
        if (ms > 0 && ms % HOUR == 0) {
            return ms / HOUR + "h";
        }
        if (ms > 0 && ms % MINUTE == 0) {
            return ms / MINUTE + "m";
        }
        if (ms > 0 && ms % SECOND == 0) {
            return ms / SECOND + "s";
        }
        return ms + "ms";
    }
}
