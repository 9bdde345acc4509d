package io.riffle.cli.demo.reco;

import io.riffle.schemas.ClassScore;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.Recommendation;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Live, prequential recall@10 and NDCG@10 of recommendation models, from two streams read in any
 * interleaving: the users' events and the recommendations scored at them. The recommendation made
 * at event {@code e} of user {@code u} is judged against {@code u}'s next event: a hit when that
 * event's item is among its first {@value #K} items, provided the next event came within the
 * window of {@code e}; a user who does nothing more within the window leaves the recommendation
 * unlabelled. Figures are kept per model name, so a champion and a popularity baseline scored at
 * the same events are compared on the same targets, overall and split at a shift time.
 *
 * <p><b>Matching.</b> Nothing orders the two streams against each other, so a recommendation may
 * be read before its own event, between it and the next one, or after both. The user's event
 * sequence is the order of the events stream (one partition per user keeps it), and it alone says
 * what "next" is: when event {@code x} of {@code u} is read, {@code x} becomes the successor of
 * {@code u}'s previous event. A recommendation whose event already has a successor is judged at
 * once; otherwise it waits with its user until the successor is read. An event whose time is
 * earlier than its user's previous event is out of sequence and links nothing.
 *
 * <p><b>Memory</b> is bounded by time, measured on the events' own clock (the latest event time
 * read, so replays and tests behave the same): a successor is remembered for {@code lateness}
 * after its event time (how late a recommendation may be read after the events it depends on), a
 * waiting recommendation for the window plus the lateness, and a user's track as long as either.
 * That is about {@code event rate x lateness} successors plus a few entries per active user.
 *
 * <p>Thread-safe: the demo feeds it from its consumer thread and reads {@link #snapshot()} from its
 * status loop.
 */
public final class RecallMonitor {

    /** Cut-off of the ranking metrics. */
    public static final int K = 10;
    /** Judged recommendations per model behind {@link ModelRecall#recent()}. */
    public static final int DEFAULT_RECENT = 2_000;

    /** A user's event that has been followed by another within the user's sequence. */
    private record Successor(String itemId, long eventTime) {}

    private record Expiring(long eventTime, String eventId) {}

    /** A recommendation waiting for its event's successor. */
    private record Waiting(String eventId, long eventTime, ModelTally tally, List<String> items) {}

    /** One user's place in the sequence and the recommendations waiting on it. */
    private static final class Track {
        String lastEventId;
        long lastEventTime = Long.MIN_VALUE;
        /** The latest event time of anything read for this user: when the track can be forgotten. */
        long touchedTime = Long.MIN_VALUE;
        final List<Waiting> waiting = new ArrayList<>(2);
    }

    private final class ModelTally {
        final String name;
        int latestVersion;
        long recommendations;
        long judged;
        long hits;
        double ndcgSum;
        long judgedBefore;
        long hitsBefore;
        double ndcgBefore;
        long unlabelled;
        long unmatched;
        long pending;
        /** Ring of the newest judgements' gains: 0 for a miss, at least 1/log2(11) for a hit. */
        final double[] recentGain = new double[recentSize];
        int recentCount;
        int recentNext;

        ModelTally(String name) {
            this.name = name;
        }

        void judge(long eventTime, int rank) {
            double gain = rank < 0 ? 0 : RankingScore.gain(rank);
            judged++;
            ndcgSum += gain;
            if (rank >= 0) {
                hits++;
            }
            if (eventTime < shiftAtMs) {
                judgedBefore++;
                ndcgBefore += gain;
                if (rank >= 0) {
                    hitsBefore++;
                }
            }
            recentGain[recentNext] = gain;
            recentNext = (recentNext + 1) % recentGain.length;
            recentCount = Math.min(recentCount + 1, recentGain.length);
        }

        ModelRecall recall() {
            long recentHits = 0;
            double recentNdcg = 0;
            for (int i = 0; i < recentCount; i++) {
                if (recentGain[i] > 0) {
                    recentHits++;
                    recentNdcg += recentGain[i];
                }
            }
            return new ModelRecall(name, latestVersion, recommendations,
                    new RankingScore(judged, hits, ndcgSum),
                    new RankingScore(judgedBefore, hitsBefore, ndcgBefore),
                    new RankingScore(judged - judgedBefore, hits - hitsBefore, ndcgSum - ndcgBefore),
                    new RankingScore(recentCount, recentHits, recentNdcg),
                    unlabelled, unmatched, pending);
        }
    }

    private final long windowMs;
    private final long latenessMs;
    private final int recentSize;
    private long shiftAtMs = Long.MAX_VALUE;
    /** The latest event time read on the events stream. */
    private long clockMs = Long.MIN_VALUE;
    private final Map<String, Successor> successors = new HashMap<>();
    private final ArrayDeque<Expiring> successorExpiry = new ArrayDeque<>();
    /** Tracks in the order they were last touched (re-inserted on every touch): the eldest expire first. */
    private final LinkedHashMap<String, Track> tracks = new LinkedHashMap<>();
    private final Map<String, ModelTally> tallies = new TreeMap<>();
    private long events;
    private long eventsOutOfSequence;

    /**
     * @param window a recommendation is judged only against a next event within this time of its
     *     own event (the pipeline's {@code from-next-event.within})
     * @param lateness how much later (in event time) a recommendation may be read than its
     *     event's successor and still be judged; also the tolerated skew between the streams
     */
    public RecallMonitor(Duration window, Duration lateness) {
        this(window, lateness, DEFAULT_RECENT);
    }

    public RecallMonitor(Duration window, Duration lateness, int recent) {
        if (window.isNegative() || window.isZero() || lateness.isNegative()) {
            throw new IllegalArgumentException("window must be positive and lateness not negative, got " + window
                    + " and " + lateness);
        }
        if (recent < 1) {
            throw new IllegalArgumentException("recent must be positive, got " + recent);
        }
        this.windowMs = window.toMillis();
        this.latenessMs = lateness.toMillis();
        this.recentSize = recent;
    }

    /**
     * Recommendations of events at or after this time count as after the shift; set it before
     * those are judged (the default, never, counts everything as before).
     */
    public synchronized void setShiftAt(long timeMs) {
        this.shiftAtMs = timeMs;
    }

    public void onEvent(Interaction interaction) {
        onEvent(interaction.userId(), interaction.eventId(), interaction.eventTime(), interaction.itemId());
    }

    /** One event of the events stream, in the stream's order for its user. */
    public synchronized void onEvent(String userId, String eventId, long eventTime, String itemId) {
        events++;
        clockMs = Math.max(clockMs, eventTime);
        Track track = touch(userId, eventTime);
        if (eventTime < track.lastEventTime) {
            eventsOutOfSequence++;
        } else {
            if (track.lastEventId != null) {
                String previous = track.lastEventId;
                successors.put(previous, new Successor(itemId, eventTime));
                successorExpiry.add(new Expiring(eventTime, previous));
                for (Iterator<Waiting> it = track.waiting.iterator(); it.hasNext(); ) {
                    Waiting w = it.next();
                    if (w.eventId.equals(previous)) {
                        it.remove();
                        w.tally.pending--;
                        judge(w.tally, w.eventTime, w.items, itemId, eventTime);
                    } else if (w.eventTime < eventTime) {
                        // Its event is earlier than this one and not the predecessor: it was read
                        // out of sequence, or never will be; its successor cannot be told.
                        it.remove();
                        w.tally.pending--;
                        w.tally.unmatched++;
                    }
                }
            }
            track.lastEventId = eventId;
            track.lastEventTime = eventTime;
        }
        expire();
    }

    public void onRecommendation(Recommendation r) {
        List<String> items = new ArrayList<>(Math.min(K, r.getItems().size()));
        for (ClassScore s : r.getItems()) {
            if (items.size() == K) {
                break;
            }
            items.add(s.getLabel());
        }
        String model = r.getRole() == ModelRole.CHAMPION ? r.getModel()
                : r.getModel() + "@" + r.getRole().name().toLowerCase(Locale.ROOT);
        onRecommendation(r.getEntityId(), r.getEventId(), r.getEventTime(), model, r.getVersion(), items);
    }

    /**
     * One recommendation: {@code items} best first (only the first {@value #K} count), made by
     * {@code model} at event {@code eventId} of {@code userId}.
     */
    public synchronized void onRecommendation(String userId, String eventId, long eventTime, String model,
                                              int version, List<String> items) {
        ModelTally tally = tallies.computeIfAbsent(model, ModelTally::new);
        tally.recommendations++;
        tally.latestVersion = Math.max(tally.latestVersion, version);
        Successor next = successors.get(eventId);
        if (next != null) {
            judge(tally, eventTime, items, next.itemId, next.eventTime);
            return;
        }
        Track track = touch(userId, eventTime);
        if (eventTime < track.lastEventTime) {
            // Its user has moved past it and its successor is forgotten (read too late) or was never linked.
            tally.unmatched++;
            return;
        }
        List<String> top = items.size() > K ? List.copyOf(items.subList(0, K)) : List.copyOf(items);
        track.waiting.add(new Waiting(eventId, eventTime, tally, top));
        tally.pending++;
    }

    /** Every model's figures so far, by model name. */
    public synchronized Map<String, ModelRecall> snapshot() {
        Map<String, ModelRecall> out = new TreeMap<>();
        for (ModelTally t : tallies.values()) {
            out.put(t.name, t.recall());
        }
        return Collections.unmodifiableMap(out);
    }

    /** Events read. */
    public synchronized long events() {
        return events;
    }

    /** Events read whose time was earlier than their user's previous event: they link nothing. */
    public synchronized long eventsOutOfSequence() {
        return eventsOutOfSequence;
    }

    /** Successors and waiting recommendations held: what bounded memory bounds. */
    public synchronized long retained() {
        long waiting = 0;
        for (Track t : tracks.values()) {
            waiting += t.waiting.size();
        }
        return successors.size() + waiting;
    }

    /** Users with a track held. */
    public synchronized int trackedUsers() {
        return tracks.size();
    }

    private Track touch(String userId, long time) {
        Track track = tracks.remove(userId);
        if (track == null) {
            track = new Track();
        }
        track.touchedTime = Math.max(track.touchedTime, time);
        tracks.put(userId, track);
        return track;
    }

    private void judge(ModelTally tally, long eventTime, List<String> items, String nextItem, long nextTime) {
        if (nextTime - eventTime > windowMs) {
            tally.unlabelled++;
            return;
        }
        int rank = -1;
        for (int i = 0; i < Math.min(K, items.size()); i++) {
            if (items.get(i).equals(nextItem)) {
                rank = i;
                break;
            }
        }
        tally.judge(eventTime, rank);
    }

    /** Forgets what the events clock has left behind. */
    private void expire() {
        while (!successorExpiry.isEmpty() && successorExpiry.peekFirst().eventTime() + latenessMs < clockMs) {
            successors.remove(successorExpiry.pollFirst().eventId());
        }
        for (Iterator<Track> it = tracks.values().iterator(); it.hasNext(); ) {
            Track track = it.next();
            if (track.touchedTime + windowMs + latenessMs >= clockMs) {
                break;
            }
            for (Waiting w : track.waiting) {
                // No next event within the window: the user left, nothing to judge against.
                w.tally.pending--;
                w.tally.unlabelled++;
            }
            it.remove();
        }
    }
}
