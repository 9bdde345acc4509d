package io.riffle.cli.demo;

import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.modelops.spec.Durations;
import io.riffle.modelops.spec.FeatureSpec;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.ModelSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.TrainerSpec;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelVersion;
import io.riffle.trainer.eval.Evaluation;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.trainer.model.TrainerConfig;
import io.riffle.modelops.spec.OnWorse;
import io.riffle.trainer.metrics.TrainerMetrics;
import io.riffle.trainer.service.TrainerOptions;
import io.riffle.trainer.service.TrainerService;
import io.riffle.trainer.service.TrainingReport;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's two in-process trainers — the fraud classifier (MLP) and the anomaly model
 * (autoencoder) — with short windows and a 30-second schedule, and what the demo reports of them.
 * They train on the pipeline file's feature vectors (its spec hash, names and count; examples of
 * another spec are skipped) from its training topic and publish to its models topics. The rest
 * is the demo's own, not the file's {@code models:} and {@code trainer:} sections (which describe
 * a long-running deployment): {@value #MAX_EPOCHS} epochs at most, the window and schedule of the
 * command line, at least {@value #MIN_EXAMPLES} examples and {@value #MIN_POSITIVES} frauds per
 * round, a candidate that does not beat the champion's holdout AUC by {@value #GATE_MARGIN}
 * published as a shadow, thresholds 0.5 / 0.9 (classifier) and 0.99 / 0.999 (anomaly).
 *
 * <p>Both ignore the features that grow or drift with the age of a stream younger than
 * {@link #STREAM_AGE} ({@link LearnableFeatures#growingIn}): aggregates over windows longer than
 * that (1h, 24h) and ratios to them, which climb with the stream's age instead of describing the
 * card; {@code time_since_previous}, whose 24 h cap marks a card's first event since the stream
 * began (a quarter of the events in the first 2 minutes, about 1% by minute 5: a share that keeps
 * falling, while the short gaps of card testing and account takeover show in {@code count_1m});
 * and the hour of day, which the generator gives no meaning and which drifts through the run.
 * Fitted on them, candidates learned the stream's age: alerts tripled and, after the drift, the
 * first classifier candidates lost to the bootstrap model.
 *
 * <p>For the same reason the anomaly trainer skips the examples of the stream's first minute
 * (more generally, of its longest used window, {@link LearnableFeatures#longestWindowWithin}):
 * while the 1-minute windows fill, {@code count_1m} and its kin are lower than they will ever be
 * again, and an autoencoder, which learns what normal looks like, fitted on the first 20-30
 * seconds flagged 8-14% of the payments after them instead of about 1%. The classifier learns
 * what tells the classes apart and is not promoted before the drift; skipping that minute would
 * leave a 90-second demo without a round after the drift.
 */
final class DemoTrainers implements AutoCloseable {
    static final int MAX_EPOCHS = 200;
    static final int MAX_EXAMPLES = 150_000;
    static final int MIN_EXAMPLES = 2_000;
    static final int MIN_POSITIVES = 20;
    static final double GATE_MARGIN = TrainerSpec.defaults().gateMargin();
    /** The demo runs for minutes: a window (or cap) longer than this keeps filling for the whole run. */
    static final Duration STREAM_AGE = Duration.ofMinutes(30);

    private final PrintStream out;
    private final ModelRegistry registry;
    /** Where the trainers record their metrics (null: nowhere). */
    private final TrainerMetrics metrics;
    private final Map<String, TrainerService> trainers = new ConcurrentHashMap<>();
    /** Holdout ROC-AUC of each published version, by "name vN", from the round that published it. */
    private final Map<String, Double> publishedAuc = new ConcurrentHashMap<>();
    private final AtomicInteger published = new AtomicInteger();
    private final AtomicInteger rounds = new AtomicInteger();
    /** Wall-clock times of the classifier's promotions and of its drift detections. */
    private final List<Long> promotions = new CopyOnWriteArrayList<>();
    private final List<Long> driftDetections = new CopyOnWriteArrayList<>();

    /** Newest share of the window held out for the gate. */
    static final double HOLDOUT = 0.1;

    /** The demo creates its trainers as its traffic starts: their creation is the stream's start. */
    DemoTrainers(PipelineSpec pipeline, String servers, Duration retrainEvery, Duration window, PrintStream out) {
        this(pipeline, servers, retrainEvery, window, null, out);
    }

    /** As above, the trainers' metrics recorded in {@code metrics} (null: nowhere). */
    DemoTrainers(PipelineSpec pipeline, String servers, Duration retrainEvery, Duration window, TrainerMetrics metrics,
                 PrintStream out) {
        this.out = out;
        this.metrics = metrics;
        Instant streamStart = Instant.now();
        this.registry = new ModelRegistry(servers, pipeline.kafka().topics().models(), pipeline.kafka().properties());
        add(pipeline, servers, streamStart, BootstrapModels.CLASSIFIER, ModelKind.MLP, retrainEvery, window,
                ModelSpec.DEFAULT_REVIEW_THRESHOLD, ModelSpec.DEFAULT_BLOCK_THRESHOLD);
        // The autoencoder's score is the training errors' CDF: 0.99 means stranger than 99% of normal payments.
        add(pipeline, servers, streamStart, BootstrapModels.ANOMALY, ModelKind.AUTOENCODER, retrainEvery, window,
                0.99, 0.999);
        Map<String, String> ignored = ignoredFeatures(pipeline.features());
        if (!ignored.isEmpty()) {
            out.printf(Locale.ROOT, "Trainers: learning from %d of %d features (the anomaly model on examples after "
                    + "the stream's first %s); ignoring the features that grow or drift with the stream's age: %s%n",
                    pipeline.features().count() - ignored.size(), pipeline.features().count(),
                    Durations.format(warmUp(pipeline.features())), String.join(", ", ignored.keySet()));
        }
    }

    private void add(PipelineSpec pipeline, String servers, Instant streamStart, String name, ModelKind kind,
                     Duration every, Duration window, double review, double block) {
        trainers.put(name, new TrainerService(options(pipeline, servers, streamStart, name, kind, every, window, review,
                block), this::report, metrics));
    }

    /** One trainer's options: the pipeline's feature contract and topics, the demo's settings. */
    static TrainerOptions options(PipelineSpec pipeline, String servers, Instant streamStart, String name,
                                  ModelKind kind, Duration every, Duration window, double review, double block) {
        FeatureSpec features = pipeline.features();
        KafkaSpec.TopicNames topics = pipeline.kafka().topics();
        TrainerOptions.Builder options = TrainerOptions.builder(servers, name, kind, features.count(), features.hash(),
                        features.names())
                .topics(topics.training(), topics.models(), topics.modelEvents())
                .training(TrainerConfig.defaults(kind).withMaxEpochs(MAX_EPOCHS))
                .window(window, MAX_EXAMPLES)
                .schedule(every, Integer.MAX_VALUE)
                .minimums(MIN_EXAMPLES, MIN_POSITIVES)
                .gate(GATE_MARGIN, OnWorse.SHADOW)
                // The newest tenth as holdout (18 s of a 3-minute window, ~9,000 examples at 500/s), not
                // a fifth: the holdout and the early-stopping slice before it are never trained on, and
                // with a fifth a new kind of fraud went unlearned for ~90 s after it appeared.
                .holdout(HOLDOUT)
                .thresholds(review, block)
                .ignoredFeatures(ignoredFeatures(features).keySet())
                .signingKey(pipeline.trainer().signingKey())
                .kafkaProperties(pipeline.kafka().properties());
        if (kind == ModelKind.AUTOENCODER) {
            options.trainFrom(streamStart.plus(warmUp(features)));
        }
        return options.build();
    }

    /** The features the trainers leave out, each with the reason, in vector order. */
    static Map<String, String> ignoredFeatures(FeatureSpec features) {
        return LearnableFeatures.growingIn(features, STREAM_AGE,
                "the demo's stream (under " + STREAM_AGE.toMinutes() + " minutes old)");
    }

    /** How long the used aggregates take to fill: the examples of the stream's first warm-up are skipped. */
    static Duration warmUp(FeatureSpec features) {
        return LearnableFeatures.longestWindowWithin(features, STREAM_AGE);
    }

    void start() {
        trainers.values().forEach(TrainerService::start);
    }

    private void report(TrainingReport r) {
        if (r.outcome() == TrainingReport.Outcome.DRIFT_DETECTED) {
            if (r.modelName().equals(BootstrapModels.CLASSIFIER)) {
                driftDetections.add(System.currentTimeMillis());
            }
            out.printf(Locale.ROOT, "Trainer: %s drift detected: %s%n", r.modelName(), r.detail());
            return;
        }
        if (r.outcome() == TrainingReport.Outcome.PROMOTED && r.modelName().equals(BootstrapModels.CLASSIFIER)) {
            promotions.add(System.currentTimeMillis());
        }
        rounds.incrementAndGet();
        if (r.published()) {
            published.incrementAndGet();
            publishedAuc.put(r.publishedName() + " v" + r.version(), r.candidate().rocAuc());
        }
        String versus = r.champion() == null ? "" : String.format(Locale.ROOT, " vs champion v%d %.3f",
                r.championVersion(), r.champion().rocAuc());
        switch (r.outcome()) {
            case PROMOTED, SHADOW -> out.printf(Locale.ROOT, "Trainer: %s v%d published as %s (holdout AUC %.3f%s; "
                            + "%,d examples, fit %.1f s)%n", r.publishedName(), r.version(),
                    r.outcome() == TrainingReport.Outcome.PROMOTED ? "CHAMPION" : "SHADOW", r.candidate().rocAuc(),
                    versus, r.examples(), r.fitMillis() / 1000.0);
            case DISCARDED -> out.printf(Locale.ROOT, "Trainer: %s candidate discarded (holdout AUC %.3f%s)%n",
                    r.modelName(), r.candidate().rocAuc(), versus);
            default -> out.printf(Locale.ROOT, "Trainer: %s not trained: %s%n", r.modelName(), r.detail());
        }
    }

    /** Seconds from {@code since} (epoch ms) to the classifier's first drift detection after it, or null. */
    Double firstDriftDetectionAfter(Long since) {
        return firstAfter(driftDetections, since);
    }

    /** Seconds from {@code since} (epoch ms) to the classifier's first promotion after it, or null. */
    Double firstPromotionAfter(Long since) {
        return firstAfter(promotions, since);
    }

    private static Double firstAfter(List<Long> times, Long since) {
        if (since == null) {
            return null;
        }
        return times.stream().filter(t -> t >= since).findFirst().map(t -> (t - since) / 1000.0).orElse(null);
    }

    int published() {
        return published.get();
    }

    int rounds() {
        return rounds.get();
    }

    /** Holdout AUC of a published version, or of a bootstrap version from its own metrics; null if unknown. */
    Double auc(String name, int version, ModelVersion bootstrap) {
        Double auc = publishedAuc.get(name + " v" + version);
        if (auc == null && bootstrap != null && bootstrap.getName().equals(name) && bootstrap.getVersion() == version) {
            auc = bootstrap.getMetrics().get("holdout_auc");
        }
        return auc;
    }

    /** The newest CHAMPION version of {@code name} on the models topic. */
    ModelVersion champion(String name) {
        ModelVersion best = null;
        for (ModelVersion mv : registry.list(Duration.ofSeconds(30))) {
            if (mv.getName().equals(name) && mv.getRole() == ModelRole.CHAMPION
                    && (best == null || mv.getVersion() > best.getVersion())) {
                best = mv;
            }
        }
        return best;
    }

    /** {@code mv}'s ROC-AUC on the newest holdout of its trainer (null before the first round). */
    Double holdoutAuc(ModelVersion mv) {
        TrainerService trainer = trainers.get(mv.getName());
        Evaluation e = trainer == null ? null : trainer.evaluateOnLatestHoldout(mv);
        return e == null ? null : e.rocAuc();
    }

    List<String> names() {
        return new ArrayList<>(trainers.keySet());
    }

    /** Stops the trainers (idempotent); the registry stays open for {@link #champion}. */
    @Override
    public void close() {
        trainers.values().forEach(TrainerService::close);
    }

    /** Closes the registry too: the demo is done with the models topic. */
    void release() {
        close();
        registry.close();
    }
}
