package io.riffle.cli;

import java.time.Duration;
import java.util.Locale;

/**
 * Command-line durations: the pipeline file's spelling ({@code 90s}, {@code 2m}, {@code 1h},
 * {@code 500ms}, {@code 7d}), or ISO-8601 ({@code PT30S}) as picocli's defaults are written.
 */
public final class Durations {
    private Durations() {}

    public static Duration parse(String text) {
        String t = text.trim();
        if (t.toLowerCase(Locale.ROOT).startsWith("p")) {
            try {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("'" + text + "' is not an ISO-8601 duration; write e.g. 90s, 2m or PT90S");
            }
        }
        return io.riffle.modelops.spec.Durations.parse(t);
    }
}
