package io.riffle.modelops.features;

import java.io.Serializable;

/**
 * The entity's current session for {@code session_events} and {@code session_duration}: a run of
 * events none more than the gap after the one before (in event time), kept as three numbers in the
 * {@link EntityFeatureState} (first and newest event time, events).
 *
 * <p>An event joins the current session when it lies within the gap of it on either side
 * ([first − gap, newest + gap]), so an out-of-order event inside the allowed lateness counts where
 * it belongs and may become the session's first event; an event more than the gap after the
 * newest starts a new session. An event more than the gap before the session's first event belongs
 * to an earlier session that is no longer kept: it is scored as a session of its own (1 event,
 * 0 seconds) and leaves the current session as it is. Only one session is kept, so a late event
 * that falls between two sessions joins the current one rather than the earlier.
 */
final class EntitySessions implements Serializable {

    private static final long serialVersionUID = 1L;

    private final long gapMs;

    EntitySessions(long gapMs) {
        this.gapMs = gapMs;
    }

    /** Whether an event at {@code t} belongs to the kept session of {@code s}. */
    private boolean joins(EntityFeatureState s, long t) {
        return s.sessionEvents > 0 && t <= s.sessionNewest + gapMs && t >= s.sessionStart - gapMs;
    }

    /** Events of the event's session, itself included, were it added now. */
    long events(EntityFeatureState s, long t) {
        return joins(s, t) ? s.sessionEvents + 1 : 1;
    }

    /** Seconds from the session's first event to the event at {@code t} (0 when it is or would become the first). */
    double durationSeconds(EntityFeatureState s, long t) {
        return joins(s, t) ? Math.max(0L, t - s.sessionStart) / 1000.0 : 0.0;
    }

    /** Adds the event at {@code t} to the session state (see the class comment for which session). */
    void add(EntityFeatureState s, long t) {
        if (joins(s, t)) {
            s.sessionEvents++;
            s.sessionStart = Math.min(s.sessionStart, t);
            s.sessionNewest = Math.max(s.sessionNewest, t);
        } else if (s.sessionEvents == 0 || t > s.sessionNewest + gapMs) {
            s.sessionEvents = 1;
            s.sessionStart = t;
            s.sessionNewest = t;
        }
        // else: older than the kept session by more than the gap; nothing of it is kept
    }
}
