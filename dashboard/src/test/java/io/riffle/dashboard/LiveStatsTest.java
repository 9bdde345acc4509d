package io.riffle.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import io.riffle.schemas.Decision;
import io.riffle.schemas.ModelEventKind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LiveStatsTest {
    private static final long T0 = 1_800_000_000_000L;

    @Test
    void ratesLatencyAndDecisionsComeFromTheLastSeconds() {
        LiveStats s = new LiveStats(null, 0.2, T0);
        for (int sec = 0; sec < 5; sec++) {
            for (int i = 0; i < 100; i++) {
                long t = T0 + sec * 1000L + i;
                s.event(t, null, null, t);
                s.score(Records.score("e" + sec + "-" + i, "fraud", 1, 0.1f,
                        i < 90 ? Decision.ALLOW : i < 98 ? Decision.REVIEW : Decision.BLOCK, t, i), t);
            }
        }
        JsonNode snap = json(s, T0 + 5_000 + LiveStats.SETTLE_SECONDS * 1000L);
        assertThat(snap.path("totals").path("events").asLong()).isEqualTo(500);
        assertThat(snap.path("rates").path("scoresPerSecond").asDouble()).isEqualTo(100.0);
        assertThat(snap.path("decisions").path("REVIEW").asLong()).isEqualTo(40);
        assertThat(snap.path("decisions").path("BLOCK").asLong()).isEqualTo(10);
        assertThat(snap.path("latencyMs").path("p50").asLong()).isBetween(48L, 51L);
        assertThat(snap.path("latencyMs").path("max").asLong()).isEqualTo(99);
        assertThat(snap.path("series").path("scores").get(LiveStats.CHART_SECONDS - 1).asLong()).isEqualTo(100);
        assertThat(snap.path("health").path("status").asText()).isEqualTo("ok");
    }

    @Test
    void labelsJoinScoresIntoTheConfusionMatrixAndLiveAucOfThatVersion() {
        LiveStats s = new LiveStats("country", 0.2, T0);
        s.model(Records.version("fraud", 2, 0.91, null, T0), T0);
        // 4 events: two frauds scored high and low, two genuine scored low and high
        String[][] rows = {{"a", "DE"}, {"b", "DE"}, {"c", "FR"}, {"d", "FR"}};
        float[] scores = {0.9f, 0.2f, 0.1f, 0.7f};
        int[] labels = {1, 1, 0, 0};
        for (int i = 0; i < 4; i++) {
            s.event(T0, rows[i][0], rows[i][1], T0);
            Decision d = scores[i] >= 0.5 ? Decision.REVIEW : Decision.ALLOW;
            s.score(Records.score(rows[i][0], "fraud", 2, scores[i], d, T0, 5), T0);
        }
        for (int i = 0; i < 4; i++) {
            s.training(Records.label(rows[i][0], labels[i], T0), T0);
        }
        JsonNode v = json(s, T0 + 1000).path("versions").get(0);
        assertThat(v.path("model").asText()).isEqualTo("fraud");
        assertThat(v.path("holdoutAuc").asDouble()).isEqualTo(0.91);
        assertThat(v.path("tp").asLong()).isEqualTo(1);
        assertThat(v.path("fn").asLong()).isEqualTo(1);
        assertThat(v.path("fp").asLong()).isEqualTo(1);
        assertThat(v.path("tn").asLong()).isEqualTo(1);
        assertThat(v.path("precision").asDouble()).isEqualTo(0.5);
        // pairs (pos,neg): (0.9,0.1) (0.9,0.7) (0.2,0.1) right, (0.2,0.7) wrong: 3/4
        assertThat(v.path("liveAuc").asDouble()).isCloseTo(0.75, within(1e-9));
        JsonNode segments = json(s, T0 + 1000).path("segments");
        assertThat(segments.path("field").asText()).isEqualTo("country");
        JsonNode de = segments.path("rows").get(0).path("value").asText().equals("DE")
                ? segments.path("rows").get(0) : segments.path("rows").get(1);
        assertThat(de.path("flagRate").asDouble()).isEqualTo(0.5);
        assertThat(de.path("positives").asLong()).isEqualTo(2);
        assertThat(de.path("recall").asDouble()).isEqualTo(0.5);
    }

    @Test
    void liveScoresAwayFromTheTrainingHistogramAreFlagged() {
        long[] trained = new long[20];
        trained[1] = 1000;   // trained: every score in [0.05, 0.10)
        LiveStats s = new LiveStats(null, 0.2, T0);
        s.model(Records.version("fraud", 1, 0.9, trained, T0), T0);
        for (int i = 0; i < 300; i++) {
            s.score(Records.score("x" + i, "fraud", 1, 0.07f, Decision.ALLOW, T0, 1), T0);
        }
        JsonNode h = json(s, T0).path("histograms").get(0);
        assertThat(h.path("psi").asDouble()).isLessThan(0.01);
        assertThat(h.path("flagged").asBoolean()).isFalse();
        for (int i = 0; i < 300; i++) {
            s.score(Records.score("y" + i, "fraud", 1, 0.85f, Decision.BLOCK, T0, 1), T0);
        }
        h = json(s, T0).path("histograms").get(0);
        assertThat(h.path("psi").asDouble()).isGreaterThan(0.2);
        assertThat(h.path("flagged").asBoolean()).isTrue();
    }

    @Test
    void timelineKeepsOneLinePerVersionKindAndReasonWithTheRejectionReason() {
        LiveStats s = new LiveStats(null, 0.2, T0);
        s.modelEvent(Records.event("fraud", 4, ModelEventKind.LOADED, null, "scorer-0", T0), T0);
        s.modelEvent(Records.event("fraud", 4, ModelEventKind.LOADED, null, "scorer-1", T0), T0);
        s.modelEvent(Records.event("fraud", 5, ModelEventKind.REJECTED, "ONNX Runtime cannot load it: bad", "scorer-0", T0 + 1), T0);
        JsonNode snap = json(s, T0 + 2);
        assertThat(snap.path("timeline")).hasSize(2);
        assertThat(snap.path("timeline").get(0).path("kind").asText()).isEqualTo("REJECTED");
        assertThat(snap.path("timeline").get(0).path("reason").asText()).contains("cannot load");
        JsonNode v5 = snap.path("versions").get(0);
        assertThat(v5.path("version").asInt()).isEqualTo(5);
        assertThat(v5.path("rejected").asText()).contains("cannot load");
    }

    @Test
    void healthSaysWhenEventsArriveButNothingIsScoredAndWhenJobsFail() {
        LiveStats s = new LiveStats(null, 0.2, T0);
        for (int i = 0; i < 30; i++) {
            long t = T0 + 20_000 + i * 100L;
            s.event(t, null, null, t);
        }
        JsonNode h = json(s, T0 + 23_000).path("health");
        assertThat(h.path("status").asText()).isEqualTo("down");
        assertThat(h.path("messages").get(0).asText()).contains("no scores");
        LiveStats idle = new LiveStats(null, 0.2, T0);
        assertThat(json(idle, T0 + 60_000).path("health").path("status").asText()).isEqualTo("idle");
        idle.jobs(List.<String[]>of(new String[] {"riffle-scoring", "FAILED"}), T0);
        JsonNode failed = json(idle, T0 + 60_000).path("health");
        assertThat(failed.path("status").asText()).isEqualTo("down");
        assertThat(failed.path("messages").toString()).contains("riffle-scoring is FAILED");
    }

    @Test
    void computeCostIsCpuSecondsPerMillionScoredEvents() {
        LiveStats s = new LiveStats(null, 0.2, T0);
        s.cpu(T0, 10.0, "this process");
        for (int i = 0; i < 2000; i++) {
            s.score(Records.score("c" + i, "fraud", 1, 0.1f, Decision.ALLOW, T0 + 500, 1), T0 + 500);
        }
        s.cpu(T0 + 2000, 11.0, "this process");
        JsonNode cost = json(s, T0 + 2000).path("cost");
        assertThat(cost.path("cpuSecondsPerMillionEvents").asDouble()).isCloseTo(500.0, within(1e-9));
        assertThat(cost.path("cpuCores").asDouble()).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void everyRecommenderOfAnEventIsJudgedByItsNextEventAsRecallAtK() {
        LiveStats s = new LiveStats(null, 0.2, T0);
        for (int i = 0; i < 10; i++) {
            String id = "v" + i;
            s.recommendation(recommendation(id, "recs", 1, "a", "b"), T0);
            s.recommendation(recommendation(id, "recs-popular", 1, "c", "d"), T0);
            s.training(io.riffle.schemas.TrainingExample.newBuilder(Records.label(id, 1, T0))
                    .setLabelClass(i < 7 ? "b" : "c").build(), T0);
        }
        JsonNode versions = json(s, T0).path("versions");
        assertThat(versions).hasSize(2);
        for (JsonNode v : versions) {
            double expected = v.path("model").asText().equals("recs") ? 0.7 : 0.3;
            assertThat(v.path("recallAtK").asDouble()).as(v.path("model").asText()).isCloseTo(expected, within(1e-9));
            assertThat(v.path("k").asInt()).isEqualTo(2);
        }
    }

    private static io.riffle.schemas.Recommendation recommendation(String eventId, String model, int version, String... items) {
        List<io.riffle.schemas.ClassScore> top = new java.util.ArrayList<>();
        for (String item : items) {
            top.add(io.riffle.schemas.ClassScore.newBuilder().setLabel(item).setProbability(0.5f).build());
        }
        return io.riffle.schemas.Recommendation.newBuilder().setEventId(eventId).setEntityId("u").setEventTime(T0)
                .setScoreTime(T0).setModel(model).setVersion(version).setRole(io.riffle.schemas.ModelRole.CHAMPION)
                .setItems(top).build();
    }

    private static JsonNode json(LiveStats s, long now) {
        return s.snapshot(now);
    }
}
