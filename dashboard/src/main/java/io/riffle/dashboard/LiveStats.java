package io.riffle.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riffle.schemas.ClassScore;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.Decision;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.ModelScore;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Recommendation;
import io.riffle.schemas.Score;
import io.riffle.schemas.TrainingExample;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the page shows, kept from the records the feed hands over: rates and latency per
 * second, the decision mix, live score histograms against each champion's training scores (PSI),
 * every model version with its holdout figures and what its live scores did against the labels
 * that arrived, decision rates and recall per segment, recent alerts and dead letters, compute
 * cost and health. Memory is bounded: joins keep the newest {@link #JOIN_CAPACITY} events.
 *
 * <p>Called from the feed's thread and the server's; every method is synchronized.
 */
final class LiveStats {
    static final int JOIN_CAPACITY = 200_000;
    static final int WINDOW_SECONDS = 180;
    static final int CHART_SECONDS = 120;
    /**
     * Rates and charts end this many seconds before now: records of the newest seconds are still
     * arriving (transactional output becomes readable at the next checkpoint), so they would
     * always look like a drop.
     */
    static final int SETTLE_SECONDS = 2;
    private static final int LIVE_SCORES = 5_000;
    private static final int OUTCOME_PAIRS = 10_000;
    private static final int MAX_SEGMENTS = 40;
    private static final String OTHER_SEGMENT = "(other)";
    /** Series of {@link #rolling}. */
    private static final int EVENTS = 0, SCORES = 1, ALLOW = 2, REVIEW = 3, BLOCK = 4, DEAD = 5, ALERTS = 6;

    private final ObjectMapper json = new ObjectMapper();
    private final String segmentField;
    private final double psiThreshold;
    private final RollingSeconds rolling = new RollingSeconds(WINDOW_SECONDS, 7);
    private long events;
    private long scores;
    private long deadLetters;
    private long alerts;
    private long labels;
    private long lastScoreMillis;
    private long lastEventMillis;
    private final Map<String, TreeMap<Integer, VersionInfo>> versions = new TreeMap<>();
    private final Deque<ObjectNode> timeline = new ArrayDeque<>();
    private final Map<String, Scored> scoredByEvent = bounded();
    private final Map<String, String> segmentByEvent = bounded();
    private final Map<String, List<Recommended>> recommendedByEvent = bounded();
    private final Map<String, SegmentStats> segments = new LinkedHashMap<>();
    private final Map<String, LiveScores> liveScores = new TreeMap<>();
    private final Deque<ObjectNode> recentAlerts = new ArrayDeque<>();
    private final Deque<ObjectNode> recentDeadLetters = new ArrayDeque<>();
    private final Deque<double[]> cpuSamples = new ArrayDeque<>();   // {millis, cpuSeconds, scores}
    private String cpuSource;
    private String kafkaProblem;
    private List<String> metricsProblems = List.of();
    private double restarts = Double.NaN;
    private double restartsAtStart = Double.NaN;
    private long lastRestartSeenMillis;
    private final long startedMillis;
    private List<String[]> jobs;
    private boolean jobsAsked;

    LiveStats(String segmentField, double psiThreshold, long nowMillis) {
        this.segmentField = segmentField;
        this.psiThreshold = psiThreshold;
        this.startedMillis = nowMillis;
    }

    private static <V> Map<String, V> bounded() {
        return new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > JOIN_CAPACITY;
            }
        };
    }

    /** One record read from the events topic; {@code segment} is the segment field's value, or null. */
    synchronized void event(long kafkaTimestamp, String eventId, String segment, long now) {
        events++;
        lastEventMillis = now;
        rolling.add(EVENTS, kafkaTimestamp, 1, now);
        if (eventId != null && segment != null) {
            segmentByEvent.put(eventId, segment);
        }
    }

    synchronized void score(Score s, long now) {
        scores++;
        lastScoreMillis = now;
        long t = s.getScoreTime();
        rolling.add(SCORES, t, 1, now);
        rolling.add(s.getDecision() == Decision.BLOCK ? BLOCK : s.getDecision() == Decision.REVIEW ? REVIEW : ALLOW,
                t, 1, now);
        rolling.latency(t, s.getLatencyMs(), now);
        List<ModelScore> ms = s.getModels();
        Scored scored = new Scored(segmentByEvent.get(s.getEventId()), ms.size(), s.getDecision());
        for (int i = 0; i < ms.size(); i++) {
            ModelScore m = ms.get(i);
            scored.names[i] = m.getName();
            scored.versions[i] = m.getVersion();
            scored.values[i] = m.getValue();
            VersionInfo v = version(m.getName(), m.getVersion());
            v.scored++;
            v.lastScoredMillis = now;
            v.servingRole = m.getRole().toString();
            if (m.getTask() != ModelTask.MULTICLASS && m.getRole() == io.riffle.schemas.ModelRole.CHAMPION) {
                liveScores.computeIfAbsent(m.getName(), n -> new LiveScores()).add(m.getVersion(), m.getValue());
            }
        }
        scoredByEvent.put(s.getEventId(), scored);
        if (scored.segment != null) {
            SegmentStats seg = segment(scored.segment);
            seg.scored++;
            if (s.getDecision() != Decision.ALLOW) {
                seg.flagged++;
            }
        }
    }

    synchronized void alert(Score s, long now) {
        alerts++;
        rolling.add(ALERTS, s.getScoreTime(), 1, now);
        ObjectNode a = json.createObjectNode();
        a.put("time", s.getScoreTime());
        a.put("eventId", s.getEventId());
        a.put("entity", s.getEntityId());
        a.put("decision", s.getDecision().toString());
        ArrayNode reasons = a.putArray("reasons");
        s.getReasons().forEach(reasons::add);
        ArrayNode models = a.putArray("models");
        for (ModelScore m : s.getModels()) {
            models.addObject().put("model", m.getName()).put("version", m.getVersion())
                    .put("role", m.getRole().toString()).put("value", m.getValue());
        }
        push(recentAlerts, a, 20);
    }

    synchronized void recommendation(Recommendation r, long now) {
        String[] items = new String[r.getItems().size()];
        int i = 0;
        for (ClassScore c : r.getItems()) {
            items[i++] = c.getLabel();
        }
        // every model (champion, shadow, baseline) recommends for the same event: each is judged by its label
        recommendedByEvent.computeIfAbsent(r.getEventId(), id -> new ArrayList<>(2))
                .add(new Recommended(r.getModel(), r.getVersion(), items));
        VersionInfo v = version(r.getModel(), r.getVersion());
        v.scored++;
        v.lastScoredMillis = now;
        v.servingRole = r.getRole().toString();
    }

    /** A labelled example: joins the event's scores (and recommendations) with its label. */
    synchronized void training(TrainingExample t, long now) {
        labels++;
        Scored scored = scoredByEvent.get(t.getEventId());
        boolean positive = t.getLabel() == 1;
        if (scored != null) {
            for (int i = 0; i < scored.names.length; i++) {
                VersionInfo v = version(scored.names[i], scored.versions[i]);
                if (v.task == null || v.task != ModelTask.MULTICLASS) {
                    v.outcomes().add(scored.values[i], positive);
                }
            }
            if (scored.segment != null && positive) {
                SegmentStats seg = segment(scored.segment);
                seg.positives++;
                if (scored.decision != Decision.ALLOW) {
                    seg.caught++;
                }
            }
        }
        List<Recommended> recs = recommendedByEvent.get(t.getEventId());
        if (recs != null && t.getLabelClass() != null) {
            for (Recommended rec : recs) {
                VersionInfo v = version(rec.model, rec.version);
                v.recoTotal++;
                for (String item : rec.items) {
                    if (item.equals(t.getLabelClass())) {
                        v.recoHits++;
                        break;
                    }
                }
                v.recoK = rec.items.length;
            }
        }
    }

    synchronized void model(ModelVersion mv, long now) {
        VersionInfo v = version(mv.getName(), mv.getVersion());
        v.published = true;
        v.task = mv.getTask();
        v.role = mv.getRole().toString();
        v.createdAt = mv.getCreatedAt();
        v.reviewThreshold = mv.getReviewThreshold();
        v.metrics = new HashMap<>(mv.getMetrics());
        v.reference = Psi.reference(mv.getMetrics());
        v.parent = mv.getParentVersion();
    }

    synchronized void modelEvent(ModelEvent e, long now) {
        VersionInfo v = version(e.getModelName(), e.getVersion());
        String kind = e.getKind().toString();
        String reason = e.getReason();
        if ("REJECTED".equals(kind)) {
            v.rejected = reason == null ? "rejected" : reason;
        }
        if ("PROMOTED".equals(kind)) {
            v.role = "CHAMPION";
        }
        if ("DRIFT_DETECTED".equals(kind)) {
            v.driftDetected = true;
        }
        if (e.getDevice() != null) {
            v.device = e.getDevice();
        }
        // Every scorer subtask reports loads and rejections: one line per version, kind and reason.
        for (ObjectNode seen : timeline) {
            if (seen.get("model").asText().equals(e.getModelName()) && seen.get("version").asInt() == e.getVersion()
                    && seen.get("kind").asText().equals(kind)
                    && java.util.Objects.equals(seen.path("reason").asText(null), reason)) {
                return;
            }
        }
        ObjectNode t = json.createObjectNode();
        t.put("time", e.getTime());
        t.put("model", e.getModelName());
        t.put("version", e.getVersion());
        t.put("kind", kind);
        t.put("reason", reason);
        t.put("device", e.getDevice());
        t.put("source", e.getSource());
        push(timeline, t, 200);
    }

    synchronized void deadLetter(DeadLetter d, long now) {
        deadLetters++;
        rolling.add(DEAD, d.getTime(), 1, now);
        ObjectNode o = json.createObjectNode();
        o.put("time", d.getTime());
        o.put("source", d.getSourceTopic() + "/" + d.getPartition() + "@" + d.getOffset());
        o.put("error", d.getErrorClass());
        o.put("message", abbreviate(d.getErrorMessage(), 240));
        push(recentDeadLetters, o, 10);
    }

    synchronized void kafkaProblem(String problem) {
        kafkaProblem = problem;
    }

    /** One scrape of the metrics endpoints, or {@code cpuSeconds} of this process when none is scraped. */
    synchronized void cpu(long now, double cpuSeconds, String source) {
        if (!Double.isFinite(cpuSeconds)) {
            return;
        }
        cpuSource = source;
        cpuSamples.addLast(new double[] {now, cpuSeconds, scores});
        while (cpuSamples.size() > 2 && cpuSamples.peekFirst()[0] < now - 60_000) {
            cpuSamples.removeFirst();
        }
    }

    synchronized void metrics(MetricsScrape scrape, long now) {
        metricsProblems = List.copyOf(scrape.problems());
        if (scrape.has(MetricsScrape.FLINK_RESTARTS)) {
            restarts(scrape.max(MetricsScrape.FLINK_RESTARTS), now);
        }
    }

    /** The jobs' restart count (the largest over jobs) as Flink reports it. */
    synchronized void restarts(double r, long now) {
        if (!Double.isFinite(r)) {
            return;
        }
        if (Double.isNaN(restartsAtStart)) {
            restartsAtStart = r;
        }
        if (!Double.isNaN(restarts) && r > restarts) {
            lastRestartSeenMillis = now;
        }
        restarts = r;
    }

    /** The jobs Flink's REST API lists (name, state), or null when it did not answer. */
    synchronized void jobs(List<String[]> nameAndState, long now) {
        jobsAsked = true;
        jobs = nameAndState == null ? null : List.copyOf(nameAndState);
    }

    private VersionInfo version(String name, int version) {
        return versions.computeIfAbsent(name, n -> new TreeMap<>()).computeIfAbsent(version, v -> new VersionInfo(name, v));
    }

    private SegmentStats segment(String value) {
        String key = value.length() > 60 ? value.substring(0, 60) : value;
        SegmentStats s = segments.get(key);
        if (s == null) {
            s = segments.computeIfAbsent(segments.size() < MAX_SEGMENTS ? key : OTHER_SEGMENT, k -> new SegmentStats());
        }
        return s;
    }

    private static void push(Deque<ObjectNode> deque, ObjectNode node, int max) {
        deque.addFirst(node);
        while (deque.size() > max) {
            deque.removeLast();
        }
    }

    private static String abbreviate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /** The page's whole state at {@code now}, as JSON. */
    synchronized ObjectNode snapshot(long now) {
        long sec = Math.floorDiv(now, 1000);
        ObjectNode root = json.createObjectNode();
        root.put("now", now);
        root.put("segmentField", segmentField);
        ObjectNode totals = root.putObject("totals");
        totals.put("events", events).put("scores", scores).put("deadLetters", deadLetters).put("alerts", alerts)
                .put("labels", labels);
        ObjectNode rates = root.putObject("rates");
        long settled = sec - SETTLE_SECONDS;
        int rateWindow = 5;
        rates.put("eventsPerSecond", rolling.sum(EVENTS, settled, rateWindow) / (double) rateWindow);
        rates.put("scoresPerSecond", rolling.sum(SCORES, settled, rateWindow) / (double) rateWindow);
        rates.put("deadLettersPerSecond", rolling.sum(DEAD, settled, rateWindow) / (double) rateWindow);
        rates.put("alertsPerSecond", rolling.sum(ALERTS, settled, rateWindow) / (double) rateWindow);
        long[] lat = rolling.percentiles(sec, 10, 50, 95, 99, 100);
        ObjectNode latency = root.putObject("latencyMs");
        if (lat != null) {
            latency.put("p50", lat[0]).put("p95", lat[1]).put("p99", lat[2]).put("max", lat[3]);
        }
        ObjectNode series = root.putObject("series");
        ArrayNode t = series.putArray("t");
        ArrayNode ev = series.putArray("events");
        ArrayNode sc = series.putArray("scores");
        ArrayNode p50 = series.putArray("p50");
        ArrayNode p99 = series.putArray("p99");
        ArrayNode al = series.putArray("allow");
        ArrayNode re = series.putArray("review");
        ArrayNode bl = series.putArray("block");
        ArrayNode dl = series.putArray("deadLetters");
        for (long s = settled - CHART_SECONDS; s < settled; s++) {
            t.add(s);
            ev.add(rolling.count(EVENTS, s));
            sc.add(rolling.count(SCORES, s));
            long a = rolling.percentile(s, 50);
            long b = rolling.percentile(s, 99);
            if (a < 0) {
                p50.addNull();
                p99.addNull();
            } else {
                p50.add(a);
                p99.add(b);
            }
            al.add(rolling.count(ALLOW, s));
            re.add(rolling.count(REVIEW, s));
            bl.add(rolling.count(BLOCK, s));
            dl.add(rolling.count(DEAD, s));
        }
        ObjectNode decisions = root.putObject("decisions");
        decisions.put("ALLOW", rolling.sum(ALLOW, settled, 60));
        decisions.put("REVIEW", rolling.sum(REVIEW, settled, 60));
        decisions.put("BLOCK", rolling.sum(BLOCK, settled, 60));

        ArrayNode histograms = root.putArray("histograms");
        for (Map.Entry<String, LiveScores> e : liveScores.entrySet()) {
            LiveScores ls = e.getValue();
            VersionInfo v = versions.getOrDefault(e.getKey(), new TreeMap<>()).get(ls.version);
            ObjectNode h = histograms.addObject();
            h.put("model", e.getKey());
            h.put("version", ls.version);
            h.put("n", ls.size);
            double[] live = Psi.fractions(ls.counts);
            putArray(h.putArray("live"), live);
            double[] ref = v == null ? null : v.reference;
            if (ref != null) {
                putArray(h.putArray("reference"), ref);
            } else {
                h.putNull("reference");
            }
            if (live != null && ref != null && ls.size >= 200) {
                double psi = Psi.psi(live, ref);
                h.put("psi", psi);
                h.put("flagged", psi > psiThreshold);
            }
        }
        root.put("psiThreshold", psiThreshold);

        ArrayNode versionRows = root.putArray("versions");
        for (TreeMap<Integer, VersionInfo> byVersion : versions.values()) {
            for (VersionInfo v : byVersion.descendingMap().values()) {
                versionRows.add(v.toJson(json, now));
            }
        }
        ArrayNode timelineRows = root.putArray("timeline");
        timeline.forEach(timelineRows::add);

        ObjectNode seg = root.putObject("segments");
        seg.put("field", segmentField);
        ArrayNode segRows = seg.putArray("rows");
        segments.entrySet().stream()
                .sorted((x, y) -> Long.compare(y.getValue().scored, x.getValue().scored))
                .forEach(e -> {
                    SegmentStats s = e.getValue();
                    ObjectNode row = segRows.addObject();
                    row.put("value", e.getKey());
                    row.put("scored", s.scored);
                    row.put("flagRate", s.scored == 0 ? 0 : s.flagged / (double) s.scored);
                    row.put("positives", s.positives);
                    if (s.positives > 0) {
                        row.put("recall", s.caught / (double) s.positives);
                    }
                });
        ArrayNode alertRows = root.putArray("alerts");
        recentAlerts.forEach(alertRows::add);
        ArrayNode deadRows = root.putArray("deadLetterSamples");
        recentDeadLetters.forEach(deadRows::add);

        ObjectNode cost = root.putObject("cost");
        if (cpuSamples.size() >= 2) {
            double[] first = cpuSamples.peekFirst();
            double[] last = cpuSamples.peekLast();
            double scored = last[2] - first[2];
            if (scored > 0) {
                cost.put("cpuSecondsPerMillionEvents", (last[1] - first[1]) / scored * 1e6);
            }
            cost.put("cpuCores", (last[1] - first[1]) / Math.max(1e-3, (last[0] - first[0]) / 1000.0));
        }
        cost.put("source", cpuSource);

        ObjectNode health = root.putObject("health");
        ArrayNode messages = health.putArray("messages");
        String status = "ok";
        if (kafkaProblem != null) {
            status = "down";
            messages.add("Kafka: " + kafkaProblem);
        }
        boolean eventsFlowing = rolling.sum(EVENTS, sec, 10) > 0;
        if (eventsFlowing && now - Math.max(lastScoreMillis, startedMillis) > 15_000) {
            status = "down";
            messages.add("events arrive but no scores for " + (now - Math.max(lastScoreMillis, startedMillis)) / 1000
                    + " s: is the scoring job running?");
        } else if (!eventsFlowing && now - startedMillis > 15_000) {
            if (!"down".equals(status)) {
                status = "idle";
            }
            messages.add("no events in the last 10 s");
        }
        if (Double.isFinite(restarts)) {
            health.put("restarts", restarts);
            if (restarts > 0) {
                if ("ok".equals(status) || "idle".equals(status)) {
                    status = now - lastRestartSeenMillis < 120_000 && lastRestartSeenMillis > 0 ? "warn" : status;
                }
                messages.add("the job has restarted " + (long) restarts + " time" + (restarts == 1 ? "" : "s")
                        + (lastRestartSeenMillis > 0 ? " (last seen " + (now - lastRestartSeenMillis) / 1000 + " s ago)" : ""));
            }
        }
        if (jobsAsked) {
            ArrayNode jobRows = root.putArray("jobs");
            if (jobs == null) {
                messages.add("Flink's REST API does not answer");
                if ("ok".equals(status) || "idle".equals(status)) {
                    status = "warn";
                }
            } else {
                for (String[] j : jobs) {
                    jobRows.addObject().put("name", j[0]).put("state", j[1]);
                    if (!"RUNNING".equals(j[1]) && !"FINISHED".equals(j[1])) {
                        messages.add("job " + j[0] + " is " + j[1]);
                        if (!"down".equals(status)) {
                            status = "FAILED".equals(j[1]) ? "down" : "warn";
                        }
                    }
                }
            }
        }
        for (String p : metricsProblems) {
            messages.add("metrics: " + p);
            if ("ok".equals(status)) {
                status = "warn";
            }
        }
        if (rolling.sum(DEAD, sec, 60) > 0) {
            messages.add(rolling.sum(DEAD, sec, 60) + " dead letters in the last minute");
        }
        health.put("status", status);
        health.put("lastScoreMillis", lastScoreMillis);
        return root;
    }

    private static void putArray(ArrayNode a, double[] values) {
        if (values != null) {
            for (double v : values) {
                a.add(v);
            }
        }
    }

    /** One event's scores, kept until its label arrives. */
    private static final class Scored {
        final String segment;
        final String[] names;
        final int[] versions;
        final float[] values;
        final Decision decision;

        Scored(String segment, int n, Decision decision) {
            this.segment = segment;
            this.names = new String[n];
            this.versions = new int[n];
            this.values = new float[n];
            this.decision = decision;
        }
    }

    private record Recommended(String model, int version, String[] items) {}

    private static final class SegmentStats {
        long scored;
        long flagged;
        long positives;
        long caught;
    }

    /** The newest champion scores of one model name (one version at a time), binned for PSI. */
    private static final class LiveScores {
        int version = -1;
        final float[] ring = new float[LIVE_SCORES];
        final long[] counts = new long[Psi.BINS];
        int next;
        int size;

        void add(int v, float score) {
            if (v != version) {
                version = v;
                next = 0;
                size = 0;
                java.util.Arrays.fill(counts, 0);
            }
            if (size == ring.length) {
                counts[Psi.bin(ring[next])]--;
            } else {
                size++;
            }
            ring[next] = score;
            counts[Psi.bin(score)]++;
            next = (next + 1) % ring.length;
        }
    }

    /** A model version as the page shows it. */
    private static final class VersionInfo {
        final String name;
        final int version;
        boolean published;
        ModelTask task;
        String role;
        String servingRole;
        long createdAt;
        double reviewThreshold = Double.NaN;
        Map<String, Double> metrics = Map.of();
        double[] reference;
        Integer parent;
        String rejected;
        String device;
        boolean driftDetected;
        long scored;
        long lastScoredMillis;
        long recoHits;
        long recoTotal;
        int recoK;
        private BinaryOutcomes outcomes;

        VersionInfo(String name, int version) {
            this.name = name;
            this.version = version;
        }

        BinaryOutcomes outcomes() {
            if (outcomes == null) {
                outcomes = new BinaryOutcomes(Double.isNaN(reviewThreshold) ? 0.5 : reviewThreshold, OUTCOME_PAIRS);
            }
            return outcomes;
        }

        ObjectNode toJson(ObjectMapper json, long now) {
            ObjectNode o = json.createObjectNode();
            o.put("model", name);
            o.put("version", version);
            o.put("task", task == null ? null : task.toString());
            o.put("role", role);
            o.put("servingRole", servingRole);
            o.put("serving", lastScoredMillis > 0 && now - lastScoredMillis < 30_000);
            o.put("published", published);
            o.put("createdAt", createdAt);
            o.put("parent", parent);
            o.put("device", device);
            o.put("rejected", rejected);
            o.put("driftDetected", driftDetected);
            o.put("scored", scored);
            // the trainer's evaluation says roc_auc; the demo's bootstrap models, holdout_auc
            putFinite(o, "holdoutAuc", metrics.containsKey("roc_auc") ? metrics.get("roc_auc") : metrics.get("holdout_auc"));
            putFinite(o, "holdoutPrAuc", metrics.get("pr_auc"));
            putFinite(o, "holdoutRecallAtK", metrics.get("recall_at_k"));
            if (outcomes != null) {
                o.put("threshold", outcomes.threshold());
                o.put("labelled", outcomes.labelled());
                putFinite(o, "liveAuc", outcomes.auc());
                o.put("tp", outcomes.tp).put("fp", outcomes.fp).put("tn", outcomes.tn).put("fn", outcomes.fn);
                putFinite(o, "precision", outcomes.precision());
                putFinite(o, "recall", outcomes.recall());
                putFinite(o, "f1", outcomes.f1());
            }
            if (recoTotal > 0) {
                o.put("recallAtK", recoHits / (double) recoTotal);
                o.put("k", recoK);
                o.put("recoLabelled", recoTotal);
            }
            return o;
        }

        private static void putFinite(ObjectNode o, String key, Double v) {
            if (v != null && Double.isFinite(v)) {
                o.put(key, v);
            }
        }
    }
}
