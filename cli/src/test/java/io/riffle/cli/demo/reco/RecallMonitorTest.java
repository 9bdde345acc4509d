package io.riffle.cli.demo.reco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.riffle.schemas.ClassScore;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.Recommendation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

class RecallMonitorTest {

    private static final Duration WINDOW = Duration.ofMinutes(30);
    private static final Duration LATENESS = Duration.ofMinutes(1);
    private static final long MINUTE = 60_000;
    /** NDCG of a hit at 0-based rank 1: 1 / log2(3). */
    private static final double GAIN_RANK_1 = 0.6309297535714575;

    private final RecallMonitor monitor = new RecallMonitor(WINDOW, LATENESS);

    @Test
    void recommendationReadBetweenItsEventAndTheNextIsJudgedWhenTheNextArrives() {
        monitor.onEvent("u1", "e1", 0, "X");
        monitor.onRecommendation("u1", "e1", 0, "recs", 3, List.of("Y", "X", "Z"));
        assertThat(monitor.snapshot().get("recs").pending()).isEqualTo(1);
        assertThat(monitor.snapshot().get("recs").overall().judged()).isZero();

        monitor.onEvent("u1", "e2", MINUTE, "X");

        ModelRecall recs = monitor.snapshot().get("recs");
        assertThat(recs.pending()).isZero();
        assertScore(recs.overall(), 1, 1, GAIN_RANK_1);
        assertThat(recs.overall().ndcg()).isCloseTo(GAIN_RANK_1, within(1e-12));
        assertThat(recs.latestVersion()).isEqualTo(3);
        assertThat(recs.recommendations()).isEqualTo(1);
    }

    @Test
    void recommendationReadAfterBothEventsIsJudgedAtOnce() {
        monitor.onEvent("u1", "e1", 0, "X");
        monitor.onEvent("u1", "e2", MINUTE, "W");
        monitor.onRecommendation("u1", "e1", 0, "recs", 1, List.of("W", "X"));
        // The recommendation for e2 waits for e3.
        monitor.onRecommendation("u1", "e2", MINUTE, "recs", 1, List.of("W", "X"));

        ModelRecall recs = monitor.snapshot().get("recs");
        assertScore(recs.overall(), 1, 1, 1.0);
        assertThat(recs.pending()).isEqualTo(1);
    }

    @Test
    void recommendationReadBeforeItsOwnEventWaitsForTheEventAfterIt() {
        monitor.onEvent("u1", "e1", 0, "A");
        // e2's recommendation is read before e2 itself: e2 (item B) must not be taken as its target.
        monitor.onRecommendation("u1", "e2", MINUTE, "recs", 1, List.of("B"));
        monitor.onEvent("u1", "e2", MINUTE, "B");
        assertThat(monitor.snapshot().get("recs").overall().judged()).isZero();
        monitor.onEvent("u1", "e3", 2 * MINUTE, "C");

        ModelRecall recs = monitor.snapshot().get("recs");
        assertScore(recs.overall(), 1, 0, 0);
        assertThat(recs.pending()).isZero();
    }

    @Test
    void usersAreMatchedApartAndEveryArrivalOrderGivesTheSameFigures() {
        // u1: P, Q, R; u2: S, T. Recommendations at u1's first two and u2's first events.
        List<Consumer<RecallMonitor>> events = List.of(
                m -> m.onEvent("u1", "a1", 0, "P"),
                m -> m.onEvent("u2", "b1", 10, "S"),
                m -> m.onEvent("u1", "a2", 20, "Q"),
                m -> m.onEvent("u2", "b2", 30, "T"),
                m -> m.onEvent("u1", "a3", 40, "R"));
        List<Consumer<RecallMonitor>> recommendations = List.of(
                m -> m.onRecommendation("u1", "a1", 0, "recs", 1, List.of("Q", "R")),      // hit at rank 0
                m -> m.onRecommendation("u2", "b1", 10, "recs", 1, List.of("S", "T")),     // hit at rank 1
                m -> m.onRecommendation("u1", "a2", 20, "recs", 1, List.of("P", "Q")));    // miss: R came next

        List<List<Consumer<RecallMonitor>>> orders = new ArrayList<>();
        List<Consumer<RecallMonitor>> recommendationsFirst = new ArrayList<>(recommendations);
        recommendationsFirst.addAll(events);
        orders.add(recommendationsFirst);
        List<Consumer<RecallMonitor>> eventsFirst = new ArrayList<>(events);
        eventsFirst.addAll(recommendations);
        orders.add(eventsFirst);
        orders.add(List.of(events.get(0), recommendations.get(1), events.get(1), events.get(2), recommendations.get(0),
                recommendations.get(2), events.get(3), events.get(4)));
        orders.add(List.of(recommendations.get(2), events.get(0), events.get(1), events.get(2), events.get(3),
                recommendations.get(0), events.get(4), recommendations.get(1)));
        for (int i = 0; i < orders.size(); i++) {
            RecallMonitor m = new RecallMonitor(WINDOW, LATENESS);
            orders.get(i).forEach(step -> step.accept(m));
            assertScore(m.snapshot().get("recs").overall(), 3, 2, 1.0 + GAIN_RANK_1);
            assertThat(m.snapshot().get("recs").pending()).as("order %d", i).isZero();
        }
    }

    @Test
    void modelsAreComparedOnTheSameEvents() {
        monitor.onEvent("u1", "e1", 0, "A");
        monitor.onEvent("u1", "e2", MINUTE, "B");
        monitor.onEvent("u1", "e3", 2 * MINUTE, "C");
        for (String e : List.of("e1", "e2")) {
            long t = e.equals("e1") ? 0 : MINUTE;
            monitor.onRecommendation("u1", e, t, "recs", 2, List.of("B", "C"));
            monitor.onRecommendation("u1", e, t, "recs-popular", 1, List.of("Z", "Y"));
        }
        // recs: e1 -> B hit at 0 (gain 1), e2 -> C hit at 1; popular: two misses.
        assertScore(monitor.snapshot().get("recs").overall(), 2, 2, 1 + GAIN_RANK_1);
        assertScore(monitor.snapshot().get("recs-popular").overall(), 2, 0, 0);
        assertThat(monitor.snapshot().get("recs-popular").overall().recall()).isZero();
        assertThat(monitor.snapshot().keySet()).containsExactly("recs", "recs-popular");
    }

    @Test
    void onlyTheFirstTenItemsCount() {
        List<String> eleven = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            eleven.add("other-" + i);
        }
        eleven.add("B");
        monitor.onEvent("u1", "e1", 0, "A");
        monitor.onRecommendation("u1", "e1", 0, "recs", 1, eleven);
        monitor.onEvent("u1", "e2", MINUTE, "B");
        assertScore(monitor.snapshot().get("recs").overall(), 1, 0, 0);

        // Rank 9 (the tenth item) is a hit with gain 1 / log2(11).
        monitor.onEvent("u2", "f1", 0, "A");
        monitor.onRecommendation("u2", "f1", 0, "recs", 1, eleven.subList(1, 11));
        monitor.onEvent("u2", "f2", MINUTE, "B");
        assertThat(monitor.snapshot().get("recs").overall().hits()).isEqualTo(1);
        assertThat(monitor.snapshot().get("recs").overall().ndcgSum()).isCloseTo(1 / (Math.log(11) / Math.log(2)), within(1e-12));
    }

    @Test
    void aNextEventBeyondTheWindowLeavesTheRecommendationUnlabelled() {
        monitor.onEvent("u1", "e1", 0, "A");
        monitor.onRecommendation("u1", "e1", 0, "recs", 1, List.of("B"));
        monitor.onEvent("u1", "e2", 30 * MINUTE, "B");       // exactly the window: judged
        monitor.onRecommendation("u1", "e2", 30 * MINUTE, "recs", 1, List.of("C"));
        monitor.onEvent("u1", "e3", 60 * MINUTE + 1, "C");   // one ms too late

        ModelRecall recs = monitor.snapshot().get("recs");
        assertScore(recs.overall(), 1, 1, 1.0);
        assertThat(recs.unlabelled()).isEqualTo(1);
        assertThat(recs.pending()).isZero();
    }

    @Test
    void waitingRecommendationsExpireAfterTheWindowAndTheirUsersAreForgotten() {
        monitor.onEvent("u1", "e1", 0, "A");
        monitor.onRecommendation("u1", "e1", 0, "recs", 1, List.of("B"));
        // Other users' events move the events clock on; u1 never comes back.
        monitor.onEvent("u2", "f1", 31 * MINUTE, "A");
        assertThat(monitor.snapshot().get("recs").pending()).as("window + lateness not yet over").isEqualTo(1);
        monitor.onEvent("u2", "f2", 31 * MINUTE + 1, "A");

        ModelRecall recs = monitor.snapshot().get("recs");
        assertThat(recs.pending()).isZero();
        assertThat(recs.unlabelled()).isEqualTo(1);
        assertThat(recs.overall().judged()).isZero();
        assertThat(monitor.trackedUsers()).isEqualTo(1);    // u2 only
        // u1 returning now starts afresh: nothing links its old event to this one.
        monitor.onEvent("u1", "e2", 32 * MINUTE, "B");
        assertThat(monitor.snapshot().get("recs").overall().judged()).isZero();
    }

    @Test
    void aRecommendationReadLaterThanTheLatenessIsUnmatchedNotGuessed() {
        monitor.onEvent("u1", "e1", 0, "A");
        monitor.onEvent("u1", "e2", 10_000, "B");
        monitor.onEvent("u1", "e3", 20_000, "C");
        // The clock passes e2's time + lateness: e1's successor is forgotten.
        monitor.onEvent("u2", "f1", 10_000 + MINUTE + 1, "A");
        monitor.onRecommendation("u1", "e1", 0, "recs", 1, List.of("B"));
        // e2's successor (e3, at 20 s) is still remembered.
        monitor.onRecommendation("u1", "e2", 10_000, "recs", 1, List.of("C"));

        ModelRecall recs = monitor.snapshot().get("recs");
        assertThat(recs.unmatched()).isEqualTo(1);
        assertScore(recs.overall(), 1, 1, 1.0);
        assertThat(recs.pending()).isZero();
    }

    @Test
    void anEventOutOfItsUsersTimeOrderLinksNothing() {
        monitor.onEvent("u1", "e1", MINUTE, "A");
        monitor.onRecommendation("u1", "e0", 0, "recs", 1, List.of("A"));
        monitor.onEvent("u1", "e0", 0, "Z");
        assertThat(monitor.eventsOutOfSequence()).isEqualTo(1);
        monitor.onEvent("u1", "e2", 2 * MINUTE, "B");
        // e0's recommendation cannot be judged (its successor is unknown); e1 -> e2 links as usual.
        ModelRecall recs = monitor.snapshot().get("recs");
        assertThat(recs.overall().judged()).isZero();
        assertThat(recs.unmatched()).isEqualTo(1);
        assertThat(recs.pending()).isZero();
    }

    @Test
    void figuresSplitAtTheShiftByTheRecommendedEventsTime() {
        monitor.setShiftAt(MINUTE);
        monitor.onEvent("u1", "e1", 0, "A");
        monitor.onEvent("u1", "e2", MINUTE, "B");
        monitor.onEvent("u1", "e3", 2 * MINUTE, "C");
        monitor.onRecommendation("u1", "e1", 0, "recs", 1, List.of("B"));       // before: hit
        monitor.onRecommendation("u1", "e2", MINUTE, "recs", 1, List.of("B"));  // after: miss

        ModelRecall recs = monitor.snapshot().get("recs");
        assertScore(recs.beforeShift(), 1, 1, 1.0);
        assertScore(recs.afterShift(), 1, 0, 0);
        assertThat(recs.overall().recall()).isEqualTo(0.5);
    }

    @Test
    void recentFiguresCoverTheNewestJudgementsOnly() {
        RecallMonitor m = new RecallMonitor(WINDOW, LATENESS, 2);
        String[] items = {"A", "B", "C", "D"};
        for (int i = 0; i < items.length; i++) {
            m.onEvent("u1", "e" + i, i * 1000L, items[i]);
        }
        m.onRecommendation("u1", "e0", 0, "recs", 1, List.of("B"));      // hit
        m.onRecommendation("u1", "e1", 1000, "recs", 1, List.of("X"));   // miss
        m.onRecommendation("u1", "e2", 2000, "recs", 1, List.of("X"));   // miss

        ModelRecall recs = m.snapshot().get("recs");
        assertScore(recs.overall(), 3, 1, 1.0);
        assertScore(recs.recent(), 2, 0, 0);
        assertThat(RankingScore.EMPTY.recall()).isNaN();
    }

    @Test
    void avroRecommendationsAreKeyedByModelAndNonChampionRoles() {
        monitor.onEvent("u1", "e1", 0, "A");
        monitor.onEvent("u1", "e2", MINUTE, "B");
        List<ClassScore> items = List.of(new ClassScore("C", 0.6f), new ClassScore("B", 0.3f));
        monitor.onRecommendation(new Recommendation("e1", "u1", 0L, 5L, "recs", 4, ModelRole.CHAMPION, items));
        monitor.onRecommendation(new Recommendation("e1", "u1", 0L, 5L, "recs", 5, ModelRole.SHADOW, items));

        assertThat(monitor.snapshot().keySet()).containsExactly("recs", "recs@shadow");
        assertScore(monitor.snapshot().get("recs").overall(), 1, 1, GAIN_RANK_1);
        assertThat(monitor.snapshot().get("recs").latestVersion()).isEqualTo(4);
        assertThat(monitor.snapshot().get("recs@shadow").latestVersion()).isEqualTo(5);
    }

    @Test
    void memoryStaysBoundedOverALongRun() {
        // 200 users, one event each every 2 s of event time, 2 hours: 360,000 events, each recommended.
        int users = 200;
        long step = 10;
        long n = 360_000;
        long maxRetained = 0;
        for (long i = 0; i < n; i++) {
            String user = "u" + (i % users);
            long t = i * step;
            monitor.onEvent(user, "e" + i, t, "item-" + (i % 37));
            monitor.onRecommendation(user, "e" + i, t, "recs", 1, List.of("item-" + ((i + users) % 37)));
            maxRetained = Math.max(maxRetained, monitor.retained());
        }
        // Lateness 1 min at 100 events/s: about 6,000 successors, plus one waiting recommendation per user.
        assertThat(maxRetained).isLessThanOrEqualTo(6_001 + users);
        assertThat(monitor.trackedUsers()).isEqualTo(users);
        ModelRecall recs = monitor.snapshot().get("recs");
        assertThat(recs.overall().judged()).isEqualTo(n - users);
        assertThat(recs.pending()).isEqualTo(users);
        // Each user's next item is (i + 200) mod 37: exactly what was recommended.
        assertThat(recs.overall().recall()).isEqualTo(1.0);
    }

    private static void assertScore(RankingScore actual, long judged, long hits, double ndcgSum) {
        assertThat(actual.judged()).as("judged").isEqualTo(judged);
        assertThat(actual.hits()).as("hits").isEqualTo(hits);
        assertThat(actual.ndcgSum()).as("NDCG sum").isCloseTo(ndcgSum, within(1e-12));
    }
}
