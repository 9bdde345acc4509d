package io.riffle.trainer.service;

import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.ModelEventKind;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.TrainingExample;
import io.riffle.schemas.serde.AvroSerde;
import io.riffle.trainer.data.Dataset;
import io.riffle.trainer.eval.Evaluation;
import io.riffle.modelops.registry.ScoreHistogram;
import io.riffle.trainer.metrics.TrainerMetrics;
import io.riffle.trainer.model.FeatureMask;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One model's trainer: consumes the training topic into a {@link TrainingWindow} and, when the
 * schedule says (every T or after K new examples, whichever comes first), runs the model path:
 * a {@link TrainingRound} (window → split → fit), a {@link CandidateCheck} (ONNX Runtime parity,
 * then the gate against the champion on the same holdout), and publication through the
 * {@link io.riffle.modelops.registry.ModelPublisher} (signed when {@link TrainerOptions#signingKey()}
 * names a key) as CHAMPION, or as a SHADOW model under {@code <name>-shadow}. Runs on its own
 * thread ({@link #start}); its Kafka clients come from a {@link TrainerKafka}.
 *
 * <p>With {@link TrainerOptions#drift()} on, a {@link ChampionDrift} scores every example that
 * arrives with the current champion before it is trained on and watches that live error; when it
 * rises, the examples from before the change leave the window (the newest min-examples stay), a
 * round runs at once on what is left, and another as soon as {@link TrainerOptions#minExamples()}
 * examples arrived since the detection, whatever the schedule.
 *
 * <p>The features of {@link TrainerOptions#ignoredFeatures()} have no influence on a candidate
 * (see {@link FeatureMask}); a published version still takes every feature. The version's Avro
 * record has no field for them, so they are recorded in its PROMOTED/PUBLISHED event's reason,
 * the {@code features_used} metric, the log and the {@link TrainingReport}.
 */
public final class TrainerService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);

    private final TrainerOptions options;
    private final FeatureMask mask;
    private final Consumer<TrainingReport> listener;
    private final TrainingWindow window;
    private final TrainerKafka kafka;
    private final TrainingRound training;
    private final CandidateCheck check;
    /** Null when drift detection is off or the model is not a classifier (an anomaly model has no error to watch). */
    private final ChampionDrift drift;
    /** The model path of a multiclass model; null for binary and anomaly models. */
    private final MulticlassRound multiclass;
    private final AvroSerde<TrainingExample> examples = AvroSerde.of(TrainingExample.class);
    private final AvroSerde<ModelEvent> eventSerde = AvroSerde.of(ModelEvent.class);
    /** Where rounds, window size, holdout figures and drifts are recorded (the process's, shared by its trainers). */
    private final TrainerMetrics metrics;

    private volatile boolean running;
    private boolean closed;
    private volatile boolean caughtUp;
    private volatile Dataset lastHoldout;
    private volatile int windowSize;
    private Thread thread;
    private long lastTraining;
    private long newExamples;
    private long rounds;
    /** A drift was detected and no round has run since: train now, on the newest part of the window. */
    private boolean driftNow;
    /**
     * A drift was detected: train again as soon as {@link TrainerOptions#minExamples()} examples
     * arrived since (the first detection fires early, with little of the new concept seen; meanwhile
     * the detector's later cuts drop the rest of the old concept from the window).
     */
    private boolean driftPending;
    private long sinceDrift;
    private long lastChampionLookup;
    /** Multiclass: examples without a labelClass, skipped (they cannot be ranked against). */
    private long skippedWithoutClass;
    /** Largest window a round after a drift judges by cross-validation ({@link TrainingRound#FOLDS} + 1 fits). */
    static final int CROSS_VALIDATE_UP_TO = 20_000;
    /** How often the drift watch looks for a newer champion on the models topic (others publish too). */
    static final long CHAMPION_LOOKUP_MS = 10_000;

    /** A trainer with Kafka clients of its own ({@link TrainerKafka#connect}). */
    public TrainerService(TrainerOptions options, Consumer<TrainingReport> listener) {
        this(options, listener, TrainerKafka.connect(options), null);
    }

    /**
     * A trainer with Kafka clients of its own that records its metrics in {@code metrics} (null:
     * recorded nowhere).
     */
    public TrainerService(TrainerOptions options, Consumer<TrainingReport> listener, TrainerMetrics metrics) {
        this(options, listener, TrainerKafka.connect(options), metrics);
    }

    /** A trainer using {@code kafka}'s clients, which it closes when closed. */
    TrainerService(TrainerOptions options, Consumer<TrainingReport> listener, TrainerKafka kafka) {
        this(options, listener, kafka, null);
    }

    private TrainerService(TrainerOptions options, Consumer<TrainingReport> listener, TrainerKafka kafka,
                           TrainerMetrics metrics) {
        this.metrics = metrics != null ? metrics : TrainerMetrics.unserved();
        this.options = options;
        this.mask = options.featureMask();
        if (mask.ignoresAny()) {
            LOG.info("Trainer for {} ignores {} of {} features: {}", options.modelName(),
                    mask.features() - mask.used(), mask.features(), String.join(", ", options.ignoredFeatures()));
        }
        this.listener = listener == null ? r -> { } : listener;
        this.window = new TrainingWindow(options.window().toMillis(), options.maxExamples(), options.featureCount(),
                options.specHash());
        this.kafka = kafka;
        this.training = new TrainingRound(options, mask);
        ModelLoader loader = new ModelLoader(EngineOptions.defaults());
        this.check = new CandidateCheck(options, loader, kafka.publisher().topic());
        // The drift watch reads a binary champion's live error; anomaly and multiclass models have none.
        this.drift = options.drift().enabled() && options.training().kind() != ModelKind.AUTOENCODER
                && !options.multiclass() ? new ChampionDrift(options, loader) : null;
        this.multiclass = options.multiclass() ? new MulticlassRound(options, mask, check::currentChampion) : null;
    }

    public void start() {
        running = true;
        lastTraining = System.currentTimeMillis();
        thread = new Thread(this::run, "riffle-trainer-" + options.modelName());
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                long now = pollOnce();
                if (caughtUp && due(now)) {
                    round(now);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("Trainer for {} stopped: {}", options.modelName(), e.getMessage(), e);
        }
    }

    /** Reads what is there, ages the window, and returns the time it did so. */
    private long pollOnce() {
        // Only examples that arrive live feed the drift watch, not those of the window's rebuild.
        List<TrainingExample> fresh = caughtUp && drift != null ? new ArrayList<>() : null;
        for (ConsumerRecord<byte[], byte[]> r : kafka.training().poll(Duration.ofMillis(200))) {
            TrainingExample added = accept(r);
            if (added != null && fresh != null) {
                fresh.add(added);
            }
        }
        long now = System.currentTimeMillis();
        if (fresh != null) {
            watchDrift(fresh, now);
        }
        window.expire(now);
        windowSize = window.size();
        metrics.windowExamples(options.modelName(), windowSize);
        if (!caughtUp) {
            caughtUp = reachedStartEnd();
        }
        return now;
    }

    /**
     * Test-then-train: the champion scores the new examples before any round trains on them; when
     * its error rises (ADWIN), the examples from before the change leave the window (but the newest
     * min-examples always stay). The first detection of a class's rise for this champion is
     * reported (model event DRIFT_DETECTED, the listener) and a round runs at once, and another
     * after min-examples more examples; later detections only drop more of the older examples.
     */
    private void watchDrift(List<TrainingExample> fresh, long now) {
        if (now - lastChampionLookup >= CHAMPION_LOOKUP_MS) {
            lastChampionLookup = now;
            drift.watch(check.currentChampion());
        }
        if (driftPending) {
            sinceDrift += fresh.size();
        }
        ChampionDrift.Detection d = drift.observe(fresh);
        if (d == null) {
            return;
        }
        // Never below min-examples: a change seen late in a burst must not leave a window too small to train on
        // until more labels come (they may not): the newest min-examples hold every example since the change.
        long keep = Math.max(d.kept(), options.minExamples());
        int dropped = window.keepNewest((int) Math.min(Integer.MAX_VALUE, keep));
        if (d.first()) {
            // A first detection (per class) trains now; the next, after min-examples more examples.
            driftPending = true;
            driftNow = true;
            sinceDrift = 0;
            String what = d.describe(options.modelName()) + "; retraining on the newest " + window.size()
                    + " examples (" + dropped + " older dropped)";
            LOG.info("Drift detected for {}: {}", options.modelName(), what);
            event(options.modelName(), d.version(), ModelEventKind.DRIFT_DETECTED, what);
            metrics.driftDetected(options.modelName());
            listener.accept(new TrainingReport(options.modelName(), TrainingReport.Outcome.DRIFT_DETECTED, null, 0,
                    null, null, d.version(), window.size(), window.positives(), 0, Double.NaN, what,
                    options.ignoredFeatures()));
        } else {
            LOG.debug("Drift of {} refined: {} older examples dropped", options.modelName(), dropped);
        }
    }

    /**
     * Polls on the caller's thread until the window holds everything the topic had when the
     * service was created: for tools and tests that drive rounds themselves (without {@link #start}).
     */
    void catchUp(Duration timeout) {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (!caughtUp) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("window not rebuilt within " + timeout);
            }
            pollOnce();
        }
    }

    /** Adds the record's example to the window; returns it, or null when it was skipped. */
    private TrainingExample accept(ConsumerRecord<byte[], byte[]> r) {
        try {
            TrainingExample example = examples.decode(r.value());
            if (example.getEventTime() < options.trainFrom()) {
                return null;
            }
            if (multiclass != null && (example.getLabelClass() == null || example.getLabelClass().isEmpty())) {
                if (skippedWithoutClass++ % 10_000 == 0) {
                    LOG.warn("Skipping training examples without a labelClass for multiclass model {} ({} so far;"
                            + " e.g. {}/{}@{})", options.modelName(), skippedWithoutClass, r.topic(), r.partition(),
                            r.offset());
                }
                return null;
            }
            if (window.add(example, new TrainingWindow.Position(r.timestamp(), r.partition(), r.offset()))) {
                newExamples++;
                return example;
            }
        } catch (RuntimeException e) {
            LOG.warn("Skipping training record {}/{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
        }
        return null;
    }

    private boolean reachedStartEnd() {
        for (TopicPartition tp : kafka.partitions()) {
            if (kafka.training().position(tp) < kafka.endAtStart().get(tp)) {
                return false;
            }
        }
        LOG.info("Trainer for {} rebuilt its window: {} examples", options.modelName(), window.size());
        return true;
    }

    private boolean due(long now) {
        if (newExamples == 0) {
            return false;
        }
        boolean driftRound = driftNow || (driftPending && sinceDrift >= options.minExamples());
        if (driftRound && window.size() >= options.minExamples()) {
            return window.positives() >= options.minPositives();
        }
        return newExamples >= options.retrainAfterLabels() || now - lastTraining >= options.retrainEvery().toMillis();
    }

    private void round(long now) {
        boolean driftRound = driftNow || driftPending && sinceDrift >= options.minExamples();
        lastTraining = now;
        newExamples = 0;
        if (driftNow) {
            driftNow = false;       // the immediate round; the one after min-examples more is still due
        } else {
            driftPending = false;
        }
        lastChampionLookup = 0;     // the round may have promoted a new champion: watch it next poll
        rounds++;
        TrainingReport report;
        try {
            report = trainOnce(driftRound);
        } catch (RuntimeException e) {
            LOG.error("Training round {} of {} failed: {}", rounds, options.modelName(), e.getMessage(), e);
            report = new TrainingReport(options.modelName(), TrainingReport.Outcome.SKIPPED, null, 0, null, null, 0,
                    window.size(), window.positives(), 0, Double.NaN, "failed: " + e.getMessage(),
                    options.ignoredFeatures());
        }
        record(report);
        listener.accept(report);
    }

    /** A round's outcome and fit time; a published binary or anomaly version's holdout figures. */
    private void record(TrainingReport report) {
        metrics.round(options.modelName(), report.outcome().name(), report.fitMillis());
        if (report.version() > 0 && report.publishedName() != null && report.candidate() != null) {
            metrics.holdout(report.publishedName(), report.version(), report.candidate());
        }
    }

    /**
     * One pass of the model path over the current window: train, check, publish (the service's
     * thread, or a caller that owns the service).
     */
    TrainingReport trainOnce() {
        return trainOnce(false);
    }

    /**
     * A round right after a drift (its window cut to the examples since the change) is judged by
     * cross-validation when the window is at most {@value #CROSS_VALIDATE_UP_TO} examples: its
     * newest tenth holds too few positives for the gate to tell a candidate that learned the new
     * kind from one that did not.
     */
    private TrainingReport trainOnce(boolean afterDrift) {
        if (multiclass != null) {
            return trainOnceMulticlass();
        }
        List<TrainingExample> ordered = window.byEventTime();
        int n = ordered.size();
        long positives = window.positives();
        if (afterDrift && options.hasHoldout() && n <= CROSS_VALIDATE_UP_TO) {
            TrainingRound.CrossValidated cv = training.crossValidated(ordered, positives);
            if (cv != null) {
                CandidateCheck.Verdict verdict = check.check(cv);
                if (!verdict.publishes()) {
                    return report(verdict.outcome(), null, 0, verdict, n, positives, cv.fit().fitMillis(),
                            verdict.detail());
                }
                ModelVersion mv = publish(cv.fit(), verdict);
                return report(verdict.outcome(), mv.getName(), mv.getVersion(), verdict, n, positives,
                        cv.fit().fitMillis(), verdict.detail());
            }
        }
        TrainingRound.Result result = training.run(ordered, positives);
        if (result instanceof TrainingRound.Skipped skipped) {
            LOG.info("Not training {} yet: {}", options.modelName(), skipped.why());
            return report(TrainingReport.Outcome.SKIPPED, null, 0, null, n, positives, 0, skipped.why());
        }
        TrainingRound.Fitted fit = (TrainingRound.Fitted) result;
        lastHoldout = fit.holdout().rows() > 0 ? fit.holdout() : null;
        CandidateCheck.Verdict verdict = check.check(fit);
        if (!verdict.publishes()) {
            return report(verdict.outcome(), null, 0, verdict, n, positives, fit.fitMillis(), verdict.detail());
        }
        ModelVersion mv = publish(fit, verdict);
        return report(verdict.outcome(), mv.getName(), mv.getVersion(), verdict, n, positives, fit.fitMillis(),
                verdict.detail());
    }

    /** A multiclass round: {@link MulticlassRound}, then publication as for binary models. */
    private TrainingReport trainOnceMulticlass() {
        List<TrainingExample> ordered = window.byEventTime();
        int n = ordered.size();
        MulticlassRound.Result result = multiclass.run(ordered);
        if (result instanceof MulticlassRound.Skipped skipped) {
            LOG.info("Not training {} yet: {}", options.modelName(), skipped.why());
            return report(TrainingReport.Outcome.SKIPPED, null, 0, null, n, 0, 0, skipped.why());
        }
        MulticlassRound.Checked checked = (MulticlassRound.Checked) result;
        if (checked.outcome() == TrainingReport.Outcome.DISCARDED) {
            LOG.info("Discarding candidate for {}: {}", options.modelName(), checked.detail());
        }
        String name = null;
        int version = 0;
        if (checked.publishes()) {
            ModelVersion mv = publishMulticlass(checked);
            name = mv.getName();
            version = mv.getVersion();
        }
        return new TrainingReport(options.modelName(), checked.outcome(), name, version, null, null,
                checked.championVersion() == null ? 0 : checked.championVersion().getVersion(), n, 0,
                checked.fitMillis(), checked.parityMaxDiff(), checked.detail(), options.ignoredFeatures());
    }

    /** Names, numbers, gives metrics to, signs and writes a multiclass candidate; its model event. */
    private ModelVersion publishMulticlass(MulticlassRound.Checked checked) {
        boolean promote = checked.outcome() == TrainingReport.Outcome.PROMOTED;
        String name = promote ? options.modelName() : options.shadowName();
        int version = kafka.publisher().nextVersion(name);
        Map<String, Double> metrics = checked.candidateEval() != null
                ? new HashMap<>(checked.candidateEval().toMetrics())
                : new HashMap<>(Map.of("holdout_examples", 0.0, "k", (double) options.topK(),
                        "classes", (double) checked.model().classes()));
        if (checked.championEval() != null) {
            metrics.put("champion_recall_at_k", checked.championEval().recallAtK());
        }
        metrics.put("examples", (double) checked.examples());
        metrics.put("out_of_vocabulary_examples", (double) checked.outOfVocabulary());
        metrics.put("skipped_without_class", (double) skippedWithoutClass);
        metrics.put("fit_seconds", checked.fitMillis() / 1000.0);
        metrics.put("parity_max_diff", checked.parityMaxDiff());
        metrics.put("features_used", (double) mask.used());
        ModelVersion.Builder published = ModelVersion.newBuilder(checked.candidate()).setName(name).setVersion(version)
                .setRole(promote ? ModelRole.CHAMPION : ModelRole.SHADOW).setMetrics(metrics);
        if (checked.championVersion() != null) {
            published.setParentVersion(checked.championVersion().getVersion());
        }
        ModelVersion mv = kafka.publisher().publish(published.build());
        if (checked.candidateEval() != null) {
            this.metrics.holdoutRecallAtK(mv.getName(), mv.getVersion(), checked.candidateEval().recallAtK());
        }
        event(mv, promote ? ModelEventKind.PROMOTED : ModelEventKind.PUBLISHED, checked.detail());
        LOG.info("Published {} v{} as {}: {}", name, version, mv.getRole(), checked.detail());
        return mv;
    }

    /** The last step: the candidate named, numbered, given its metrics, signed and written; its model event. */
    private ModelVersion publish(TrainingRound.Fitted fit, CandidateCheck.Verdict verdict) {
        boolean promote = verdict.outcome() == TrainingReport.Outcome.PROMOTED;
        String name = promote ? options.modelName() : options.shadowName();
        int version = kafka.publisher().nextVersion(name);
        // Without a holdout there is nothing out of sample to report: no in-sample figure under a holdout's keys.
        Map<String, Double> metrics = verdict.candidate() != null ? new HashMap<>(verdict.candidate().toMetrics())
                : new HashMap<>(Map.of("holdout_examples", 0.0));
        if (verdict.champion() != null) {
            metrics.put("champion_roc_auc", verdict.champion().rocAuc());
        }
        metrics.put("fit_seconds", fit.fitMillis() / 1000.0);
        metrics.put("parity_max_diff", verdict.parityMaxDiff());
        metrics.put("features_used", (double) mask.used());
        // The distribution live scores are compared with (PSI): the candidate's scores on what it was fitted on.
        metrics.putAll(ScoreHistogram.metrics(fit.model().predict(fit.train())));
        ModelVersion.Builder published = ModelVersion.newBuilder(fit.candidate()).setName(name).setVersion(version)
                .setRole(promote ? ModelRole.CHAMPION : ModelRole.SHADOW).setMetrics(metrics);
        if (verdict.championVersion() != null) {
            published.setParentVersion(verdict.championVersion().getVersion());
        }
        ModelVersion mv = kafka.publisher().publish(published.build());
        String gate = verdict.detail();
        event(mv, promote ? ModelEventKind.PROMOTED : ModelEventKind.PUBLISHED, options.ignoredFeatures().isEmpty()
                ? gate : gate + "; ignored features: " + String.join(", ", options.ignoredFeatures()));
        LOG.info("Published {} v{} as {}: {}", name, version, mv.getRole(), gate);
        return mv;
    }

    private TrainingReport report(TrainingReport.Outcome outcome, String name, int version,
                                  CandidateCheck.Verdict verdict, int n, long positives, long fitMillis, String detail) {
        return new TrainingReport(options.modelName(), outcome, name, version,
                verdict == null ? null : verdict.candidate(), verdict == null ? null : verdict.champion(),
                verdict == null || verdict.championVersion() == null ? 0 : verdict.championVersion().getVersion(),
                n, positives, fitMillis, verdict == null ? Double.NaN : verdict.parityMaxDiff(), detail,
                options.ignoredFeatures());
    }

    /** The newest CHAMPION version of this trainer's model on the models topic, or null. */
    ModelVersion currentChampion() {
        return check.currentChampion();
    }

    /** {@code mv}'s evaluation on the newest holdout a round used, or null before the first round (or without a holdout). */
    public Evaluation evaluateOnLatestHoldout(ModelVersion mv) {
        Dataset holdout = lastHoldout;
        return holdout == null ? null : check.evaluate(mv, holdout);
    }

    private void event(ModelVersion mv, ModelEventKind kind, String reason) {
        event(mv.getName(), mv.getVersion(), kind, reason);
    }

    private void event(String name, int version, ModelEventKind kind, String reason) {
        ModelEvent e = new ModelEvent(name, version, kind, reason, null, "trainer " + options.modelName(),
                System.currentTimeMillis());
        kafka.events().send(new ProducerRecord<>(options.modelEventsTopic(), name.getBytes(StandardCharsets.UTF_8),
                eventSerde.encode(e)));
    }

    /** Whether the window has been rebuilt from everything on the topic when the service started. */
    public boolean caughtUp() {
        return caughtUp;
    }

    public int windowSize() {
        return windowSize;
    }

    List<String> windowEventIds() {
        return window.eventIds();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        running = false;
        kafka.training().wakeup();
        if (thread != null) {
            try {
                thread.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (drift != null) {
            drift.close();
        }
        kafka.close();
    }
}
