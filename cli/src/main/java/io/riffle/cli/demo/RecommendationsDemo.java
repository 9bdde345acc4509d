package io.riffle.cli.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.riffle.cli.LocalPipeline;
import io.riffle.cli.demo.reco.InteractionGenerator;
import io.riffle.cli.demo.reco.ModelRecall;
import io.riffle.cli.demo.reco.RankingScore;
import io.riffle.cli.demo.reco.RecallMonitor;
import io.riffle.modelops.spec.DataFormat;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.modelops.spec.ModelSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.Recommendation;
import io.riffle.schemas.serde.AvroSerde;
import io.riffle.trainer.service.TrainingReport;
import java.io.File;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * {@code riffle demo --scenario recommendations}: the recommendation loop of a pipeline file
 * ({@code pipelines/recommendations.yaml}) in one JVM — an embedded broker, the scoring job and the
 * next-event label join on a MiniCluster, the file's trainers (a learned multiclass model and the
 * most-popular baseline), shoppers' traffic with a taste shift halfway ({@link ShopTraffic}), and
 * a live status line with the recall@10 of every model's recommendations ({@link RecallMonitor}),
 * judged against what each user did next.
 */
final class RecommendationsDemo {
    /** Shoppers in the synthetic population. */
    static final int SHOPPERS = 20_000;
    /** Items in the catalogue: the classes the model ranks. */
    static final int ITEMS = 1_000;

    private final PipelineSpec pipeline;
    private final Duration duration;
    private final double eventsPerSecond;
    private final double badRecordRate;
    private final long seed;
    private final Duration statusInterval;
    private final int webUiPort;
    private final io.riffle.cli.LiveDashboardOptions dashboardOptions;
    /** Port of the Flink jobs' metrics (the trainers' on the next), or null for none. */
    private final Integer metricsPort;
    private final File summaryJson;
    private final PrintStream out;
    private final String learned;
    private final String baseline;
    private final AtomicInteger published = new AtomicInteger();
    private final AtomicInteger rounds = new AtomicInteger();

    RecommendationsDemo(PipelineSpec pipeline, Duration duration, double eventsPerSecond, double badRecordRate, long seed,
                        Duration statusInterval, int webUiPort, Integer metricsPort,
                        io.riffle.cli.LiveDashboardOptions dashboardOptions, File summaryJson, PrintStream out) {
        this.dashboardOptions = dashboardOptions;
        this.pipeline = pipeline;
        this.duration = duration;
        this.eventsPerSecond = eventsPerSecond;
        this.badRecordRate = badRecordRate;
        this.seed = seed;
        this.statusInterval = statusInterval;
        this.webUiPort = webUiPort;
        this.metricsPort = metricsPort;
        this.summaryJson = summaryJson;
        this.out = out;
        this.learned = multiclassModel(pipeline, false);
        this.baseline = multiclassModel(pipeline, true);
    }

    /** The file's first multiclass model that is (or is not) the popularity baseline, or null. */
    static String multiclassModel(PipelineSpec spec, boolean popularity) {
        return spec.models().stream()
                .filter(m -> m.task() == ModelTask.MULTICLASS && (m.trainer() == ModelKind.POPULARITY) == popularity)
                .map(ModelSpec::name).findFirst().orElse(null);
    }

    /** Whether {@code spec} can run this scenario; null when it can, else what it lacks. */
    static String unfit(PipelineSpec spec) {
        if (spec.labels() == null || spec.labels().fromNextEvent() == null) {
            return spec.file() + " takes its labels from a labels topic; the recommendations demo needs"
                    + " labels: {from-next-event: {field: itemId, within: 30m}}";
        }
        if (multiclassModel(spec, false) == null) {
            return spec.file() + " declares no multiclass model to learn (task: multiclass, kind logistic or mlp)";
        }
        return null;
    }

    int run() throws Exception {
        long demoStart = System.currentTimeMillis();
        Duration within = pipeline.labels().fromNextEvent().within();
        RecallMonitor recall = new RecallMonitor(within, Duration.ofMinutes(1));
        AvroSerde<Recommendation> recommendations = AvroSerde.of(Recommendation.class);
        LocalPipeline running = null;
        PipelineMonitor monitor = null;
        ShopTraffic traffic = null;
        io.riffle.dashboard.Dashboard dashboard = null;
        try {
            out.printf(Locale.ROOT, "Pipeline %s (%s): %d features, spec hash %.12s; models %s%n", pipeline.name(),
                    pipeline.file(), pipeline.features().count(), pipeline.features().hash(),
                    String.join(", ", pipeline.models().stream().map(m -> m.name() + " (" + m.trainer().id() + ")")
                            .toList()));
            running = LocalPipeline.start(pipeline, null, 0, webUiPort, metricsPort, this::report, out);
            String servers = running.bootstrapServers();
            out.println("Flink MiniCluster: scoring + next-event label join " + running.job().getJobID()
                    + (webUiPort > 0 ? " — web UI http://127.0.0.1:" + webUiPort : ""));
            if (running.metricsLine() != null) {
                out.println(running.metricsLine());
            }
            dashboard = io.riffle.cli.LocalDashboard.start(pipeline, servers, dashboardOptions,
                    io.riffle.cli.LocalDashboard.endpoints(running.metricsAddress(), running.trainerMetricsAddress()),
                    running.restAddress(), out);
            String recommendationsTopic = pipeline.kafka().topics().recommendations();
            monitor = new PipelineMonitor(servers, pipeline.kafka().properties(), pipeline.kafka().topics(), demoStart,
                    id -> false, false, List.of(recommendationsTopic),
                    r -> recall.onRecommendation(recommendations.decode(r.value())));
            monitor.start();
            InteractionGenerator generator = new InteractionGenerator(seed, SHOPPERS, ITEMS, eventsPerSecond);
            traffic = new ShopTraffic(servers, pipeline.kafka().topics().events(),
                    pipeline.events().format() == DataFormat.AVRO ? pipeline.eventSchema() : null, generator,
                    eventsPerSecond, badRecordRate, seed, recall::onEvent);
            traffic.start();
            out.printf(Locale.ROOT, "Producing %.0f shopper events/s (%,d shoppers, %,d items in %d categories) for %s;"
                            + " the models learn what each user does next (Ctrl-C stops early) ...%n", eventsPerSecond,
                    SHOPPERS, generator.catalogue().size(), generator.catalogue().categoryCount(), human(duration));

            long shiftAt = demoStart + duration.toMillis() / 2;
            boolean interrupted = runFor(traffic, monitor, recall, running, shiftAt, generator.shiftCategory());
            traffic.stop();
            running.stopTrainers();      // lets a round in progress finish; no new rounds on drained traffic
            boolean reconciled = drain(traffic, monitor, interrupted ? Duration.ofSeconds(20) : Duration.ofSeconds(90));
            // The last recommendations wait for their users' next events; those never come now.
            Map<String, Object> summary = summary(traffic, monitor, recall, reconciled, demoStart,
                    System.currentTimeMillis() >= shiftAt ? shiftAt : null);
            print(summary, monitor);
            if (summaryJson != null) {
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(summaryJson, summary);
                out.println("Summary written to " + summaryJson);
            }
            return reconciled ? 0 : 1;
        } finally {
            Thread.interrupted();
            if (traffic != null) {
                traffic.close();
            }
            if (dashboard != null) {
                dashboard.close();
            }
            if (running != null) {
                running.close();
            }
            if (monitor != null) {
                monitor.close();
            }
        }
    }

    private void report(TrainingReport r) {
        rounds.incrementAndGet();
        if (r.published()) {
            published.incrementAndGet();
        }
        if (r.outcome() != TrainingReport.Outcome.SKIPPED) {
            out.printf(Locale.ROOT, "  trainer %s: %s%s — %s%n", r.modelName(), r.outcome().name().toLowerCase(Locale.ROOT),
                    r.published() ? " v" + r.version() : "", r.detail());
        }
    }

    /** Status lines until the end (true on Ctrl-C); the taste shift at {@code shiftAt}. */
    private boolean runFor(ShopTraffic traffic, PipelineMonitor monitor, RecallMonitor recall, LocalPipeline running,
                           long shiftAt, String shiftCategory) {
        long end = System.currentTimeMillis() + duration.toMillis();
        boolean shifted = false;
        long lastIn = 0;
        long lastAt = System.currentTimeMillis();
        while (System.currentTimeMillis() < end) {
            try {
                Thread.sleep(Math.max(1, Math.min(statusInterval.toMillis(), end - System.currentTimeMillis())));
            } catch (InterruptedException e) {
                return true;
            }
            long now = System.currentTimeMillis();
            if (!shifted && now >= shiftAt) {
                shifted = true;
                traffic.shiftAt(now);
                recall.setShiftAt(now);
                out.printf(Locale.ROOT, "Taste shift: from now on %s is what everyone shops for%n", shiftCategory);
            }
            long in = traffic.eventsIn();
            double rate = (in - lastIn) * 1000.0 / Math.max(1, now - lastAt);
            lastIn = in;
            lastAt = now;
            Histogram h = monitor.intervalLatency();
            out.printf(Locale.ROOT, "[%s] in %,.0f/s (%,d) | scores %,d | dead letters %,d | latency p99 %s |"
                            + " recall@10 %s | models %s%n",
                    clock(now - (end - duration.toMillis())), rate, in, monitor.scoresOut.get(),
                    monitor.deadLettersOut.get(), h.getTotalCount() == 0 ? "-" : h.getValueAtPercentile(99) + " ms",
                    liveRecall(recall), monitor.serving().isEmpty() ? "waiting for the first versions"
                            : monitor.serving().toString().replaceAll("[{}]", "").replace("=", " v"));
        }
        return false;
    }

    /** Recall@10 of the newest judged recommendations, learned model then baseline. */
    private String liveRecall(RecallMonitor recall) {
        Map<String, ModelRecall> now = recall.snapshot();
        List<String> parts = new ArrayList<>();
        for (String model : new String[] {learned, baseline}) {
            ModelRecall r = model == null ? null : now.get(model);
            if (r != null && r.recent().judged() > 0) {
                parts.add(String.format(Locale.ROOT, "%s %.3f", model, r.recent().recall()));
            }
        }
        return parts.isEmpty() ? "-" : String.join(", ", parts);
    }

    /** Waits until every event has come out as a score or a dead letter. */
    private boolean drain(ShopTraffic traffic, PipelineMonitor monitor, Duration limit) throws InterruptedException {
        long in = traffic.eventsIn();
        out.printf(Locale.ROOT, "Stopped producing at %,d events; waiting for the pipeline to finish them ...%n", in);
        long deadline = System.currentTimeMillis() + limit.toMillis();
        while (System.currentTimeMillis() < deadline) {
            long outCount = monitor.scoresOut.get() + monitor.deadLettersOut.get();
            if (outCount >= in) {
                return outCount == in;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        return false;
    }

    private Map<String, Object> summary(ShopTraffic traffic, PipelineMonitor monitor, RecallMonitor recall,
                                        boolean reconciled, long demoStart, Long shiftAt) {
        Histogram total = monitor.totalLatency();
        Histogram visible = monitor.totalVisibleLatency();
        Map<String, ModelRecall> recalls = recall.snapshot();
        ModelRecall model = learned == null ? null : recalls.get(learned);
        ModelRecall popular = baseline == null ? null : recalls.get(baseline);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("scenario", "recommendations");
        s.put("pipeline", pipeline.file().toString());
        s.put("features", pipeline.features().count());
        s.put("feature_spec_hash", pipeline.features().hash());
        s.put("events_in", traffic.eventsIn());
        s.put("scores_out", monitor.scoresOut.get());
        s.put("dead_letters", monitor.deadLettersOut.get());
        s.put("reconciled", reconciled);
        s.put("corrupt_events_sent", traffic.corruptIn());
        s.put("model", learned);
        s.put("baseline", baseline);
        s.put("shift_at_seconds", shiftAt == null ? null : (shiftAt - demoStart) / 1000);
        s.put("recall_at_10_before_shift", recall(model, ModelRecall::beforeShift));
        s.put("recall_at_10_after_shift", recall(model, ModelRecall::afterShift));
        s.put("popularity_recall_at_10", recall(popular, ModelRecall::afterShift));
        s.put("popularity_recall_at_10_before_shift", recall(popular, ModelRecall::beforeShift));
        s.put("popularity_recall_at_10_after_shift", recall(popular, ModelRecall::afterShift));
        s.put("ndcg_at_10", model == null || model.overall().judged() == 0 ? null : model.overall().ndcg());
        s.put("popularity_ndcg_at_10", popular == null || popular.overall().judged() == 0 ? null
                : popular.overall().ndcg());
        s.put("recommendations_judged", model == null ? 0 : model.overall().judged());
        s.put("model_versions_published", published.get());
        s.put("trainer_rounds", rounds.get());
        s.put("model_versions_loaded", monitor.versionsLoaded().size());
        s.put("model_versions", List.copyOf(monitor.versionsLoaded()));
        s.put("models_rejected", monitor.rejected.get());
        s.put("device", String.join(",", monitor.devices()));
        s.put("latency_ms_p50", total.getValueAtPercentile(50));
        s.put("latency_ms_p99", total.getValueAtPercentile(99));
        s.put("latency_ms_max", total.getMaxValue());
        s.put("visible_latency_ms_p50", visible.getValueAtPercentile(50));
        s.put("visible_latency_ms_p99", visible.getValueAtPercentile(99));
        s.put("events_per_second", Math.round(traffic.eventsIn() / Math.max(1e-9, duration.toMillis() / 1000.0)));
        s.put("run_seconds", Math.round((System.currentTimeMillis() - demoStart) / 1000.0));
        return s;
    }

    private static Double recall(ModelRecall r, java.util.function.Function<ModelRecall, RankingScore> window) {
        if (r == null) {
            return null;
        }
        RankingScore score = window.apply(r);
        return score.judged() == 0 ? null : score.recall();
    }

    private void print(Map<String, Object> s, PipelineMonitor monitor) {
        out.println();
        out.printf(Locale.ROOT, "events in %,d = scores %,d + dead letters %,d : %s%n", s.get("events_in"),
                s.get("scores_out"), s.get("dead_letters"),
                Boolean.TRUE.equals(s.get("reconciled")) ? "every event accounted for" : "NOT RECONCILED");
        out.printf(Locale.ROOT, "latency from ingestion to score: p50 %s ms, p99 %s ms (readable by read_committed"
                        + " consumers: p50 %s ms, p99 %s ms)%n", s.get("latency_ms_p50"), s.get("latency_ms_p99"),
                s.get("visible_latency_ms_p50"), s.get("visible_latency_ms_p99"));
        out.printf(Locale.ROOT, "recall@10 of %s: before the shift %s, after it %s (NDCG@10 %s); %s, the most popular"
                        + " items: before %s, after %s%n", learned, DemoSummary.fmt(s.get("recall_at_10_before_shift")),
                DemoSummary.fmt(s.get("recall_at_10_after_shift")), DemoSummary.fmt(s.get("ndcg_at_10")), baseline,
                DemoSummary.fmt(s.get("popularity_recall_at_10_before_shift")),
                DemoSummary.fmt(s.get("popularity_recall_at_10_after_shift")));
        out.println("model versions loaded: " + s.get("model_versions") + " on " + s.get("device") + "; "
                + s.get("model_versions_published") + " published in " + s.get("trainer_rounds") + " rounds");
        for (String sample : monitor.deadLetterSamples()) {
            out.println("dead letter e.g.: " + sample);
        }
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        return s % 60 == 0 ? (s / 60) + "m" : s + "s";
    }

    private static String clock(long ms) {
        long s = Math.max(0, ms) / 1000;
        return String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }
}
