package io.riffle.trainer.service;

import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.modelops.registry.ModelVersions;
import io.riffle.modelops.trust.KeyFileException;
import io.riffle.modelops.trust.ModelSigner;
import io.riffle.modelops.serving.LoadedModel;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.modelops.validation.ModelRejectedException;
import io.riffle.schemas.FeatureStats;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.ModelEventKind;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.TrainingExample;
import io.riffle.schemas.serde.AvroSerde;
import io.riffle.trainer.data.Dataset;
import io.riffle.trainer.eval.Evaluation;
import io.riffle.trainer.eval.Metrics;
import io.riffle.trainer.model.FeatureMask;
import io.riffle.trainer.model.ModelTrainer;
import io.riffle.trainer.model.TrainedModel;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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
 * One model's trainer: consumes the training topic into a {@link TrainingWindow}, retrains when
 * the schedule says (every T or after K new examples, whichever comes first), and publishes the
 * candidate if ONNX Runtime reproduces the trainer's predictions and it passes the
 * champion/challenger gate.
 *
 * <p>Each round: the window sorted by event time is split into train, validation (early
 * stopping) and the newest slice as holdout; the candidate and the current champion are
 * evaluated on the same holdout; the candidate becomes CHAMPION if its ROC-AUC beats the
 * champion's by the gate margin (or there is no champion), else it is published as a SHADOW
 * model under {@code <name>-shadow} or discarded. A published version is signed with
 * {@link TrainerOptions#signingKey()} when there is one. Runs on its own thread ({@link #start}).
 *
 * <p>The features of {@link TrainerOptions#ignoredFeatures()} have no influence on a candidate
 * (see {@link FeatureMask}); a published version still takes every feature. The version's Avro
 * record has no field for them, so they are recorded in its PROMOTED/PUBLISHED event's reason,
 * the {@code features_used} metric, the log and the {@link TrainingReport}; and its feature stats
 * give them a standard deviation of 0, which keeps reason codes from naming a feature the model
 * does not read.
 */
public final class TrainerService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);
    /** Share of the training part used for early stopping. */
    private static final double VALIDATION_FRACTION = 0.15;

    private final TrainerOptions options;
    private final FeatureMask mask;
    private final Consumer<TrainingReport> listener;
    private final TrainingWindow window;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> events;
    private final ModelRegistry registry;
    /** Signs every published version; null when the options name no key. */
    private final ModelSigner signer;
    private final ModelLoader loader = new ModelLoader(EngineOptions.defaults());
    private final AvroSerde<TrainingExample> examples = AvroSerde.of(TrainingExample.class);
    private final AvroSerde<ModelEvent> eventSerde = AvroSerde.of(ModelEvent.class);
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final Map<TopicPartition, Long> endAtStart;

    private volatile boolean running;
    private boolean closed;
    private volatile boolean caughtUp;
    private volatile Dataset lastHoldout;
    private volatile int windowSize;
    private Thread thread;
    private long lastTraining;
    private long newExamples;
    private long rounds;

    public TrainerService(TrainerOptions options, Consumer<TrainingReport> listener) {
        this.options = options;
        // Before any Kafka client exists: a wrong key file fails the start, with nothing to close.
        this.signer = signer(options);
        this.mask = options.featureMask();
        if (mask.ignoresAny()) {
            LOG.info("Trainer for {} ignores {} of {} features: {}", options.modelName(),
                    mask.features() - mask.used(), mask.features(), String.join(", ", options.ignoredFeatures()));
        }
        this.listener = listener == null ? r -> { } : listener;
        this.window = new TrainingWindow(options.window().toMillis(), options.maxExamples(), options.featureCount(),
                options.specHash());
        Map<String, Object> props = new HashMap<>(options.kafkaProperties());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "riffle-trainer-" + options.modelName());
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Map<String, Object> producerProps = new HashMap<>(options.kafkaProperties());
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        this.events = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
        this.registry = new ModelRegistry(options.bootstrapServers(), options.modelsTopic(), options.kafkaProperties());
        this.endAtStart = seekToWindowStart();
    }

    private static ModelSigner signer(TrainerOptions options) {
        if (options.signingKey() == null) {
            return null;
        }
        try {
            return ModelSigner.fromFile(options.signingKey());
        } catch (KeyFileException e) {
            throw new IllegalArgumentException("trainer for " + options.modelName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Positions every partition at the first record younger than the window, so a restart
     * rebuilds the window from the topic alone.
     */
    private Map<TopicPartition, Long> seekToWindowStart() {
        List<PartitionInfo> infos = consumer.partitionsFor(options.trainingTopic(), Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("training topic " + options.trainingTopic() + " does not exist on "
                    + options.bootstrapServers() + "; create it (riffle demo and riffle score --create-topics do)");
        }
        for (PartitionInfo p : infos) {
            partitions.add(new TopicPartition(p.topic(), p.partition()));
        }
        consumer.assign(partitions);
        long from = System.currentTimeMillis() - options.window().toMillis();
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, from));
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(query, Duration.ofSeconds(30));
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp o = offsets.get(tp);
            consumer.seek(tp, o != null ? o.offset() : ends.get(tp));
        }
        return ends;
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
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            accept(r);
        }
        long now = System.currentTimeMillis();
        window.expire(now);
        windowSize = window.size();
        if (!caughtUp) {
            caughtUp = reachedStartEnd();
        }
        return now;
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

    private void accept(ConsumerRecord<byte[], byte[]> r) {
        try {
            TrainingExample example = examples.decode(r.value());
            if (example.getEventTime() < options.trainFrom()) {
                return;
            }
            if (window.add(example, new TrainingWindow.Position(r.timestamp(), r.partition(), r.offset()))) {
                newExamples++;
            }
        } catch (RuntimeException e) {
            LOG.warn("Skipping training record {}/{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
        }
    }

    private boolean reachedStartEnd() {
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp) < endAtStart.get(tp)) {
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
        return newExamples >= options.retrainAfterLabels() || now - lastTraining >= options.retrainEvery().toMillis();
    }

    private void round(long now) {
        lastTraining = now;
        newExamples = 0;
        rounds++;
        TrainingReport report;
        try {
            report = trainOnce();
        } catch (RuntimeException e) {
            LOG.error("Training round {} of {} failed: {}", rounds, options.modelName(), e.getMessage(), e);
            report = new TrainingReport(options.modelName(), TrainingReport.Outcome.SKIPPED, null, 0, null, null, 0,
                    window.size(), window.positives(), 0, Double.NaN, "failed: " + e.getMessage(),
                    options.ignoredFeatures());
        }
        listener.accept(report);
    }

    /** One training round over the current window (the service's thread, or a caller that owns the service). */
    TrainingReport trainOnce() {
        List<TrainingExample> ordered = window.byEventTime();
        int n = ordered.size();
        long positives = window.positives();
        if (n < options.minExamples() || positives < options.minPositives()) {
            return skipped(n, positives, "window has " + n + " examples (" + positives + " positive); needs "
                    + options.minExamples() + " (" + options.minPositives() + ")");
        }
        int holdoutStart = n - Math.max(1, (int) Math.round(n * options.holdoutFraction()));
        int validationStart = holdoutStart - Math.max(1, (int) Math.round(holdoutStart * VALIDATION_FRACTION));
        int f = options.featureCount();
        Dataset train = TrainingWindow.toDataset(ordered, 0, validationStart, f);
        Dataset validation = TrainingWindow.toDataset(ordered, validationStart, holdoutStart, f);
        Dataset holdout = TrainingWindow.toDataset(ordered, holdoutStart, n, f);
        if (holdout.positives() == 0 || holdout.positives() == holdout.rows()) {
            return skipped(n, positives, "the holdout (newest " + holdout.rows() + " examples) has a single class");
        }
        lastHoldout = holdout;

        long t0 = System.nanoTime();
        TrainedModel model = ModelTrainer.train(options.training(), mask, train, validation,
                (epoch, trainLoss, valLoss) -> LOG.info("{} {} epoch {}: train loss {} validation loss {}",
                        options.modelName(), options.training().kind(), epoch, String.format("%.5f", trainLoss),
                        String.format("%.5f", valLoss)));
        long fitMillis = (System.nanoTime() - t0) / 1_000_000;
        float[] own = model.predict(holdout);
        ModelVersion described = describe(ModelVersions.fromOnnx(model.toOnnx(), options.modelName(), 0, model.task(), f),
                ordered, positives);
        ModelVersion candidate = withoutIgnoredStats(ModelVersions.withFeatureStatsOf(described, train.x(), train.rows()));

        float[] served = new float[holdout.rows()];
        try (LoadedModel loaded = loader.load(candidate, f, options.specHash())) {
            loaded.score(holdout.x(), holdout.rows(), served);
        } catch (ModelRejectedException e) {
            return new TrainingReport(options.modelName(), TrainingReport.Outcome.PARITY_FAILED, null, 0, null, null, 0,
                    n, positives, fitMillis, Double.NaN, "the exported model is not servable: " + e.getMessage(),
                    options.ignoredFeatures());
        }
        double maxDiff = 0;
        for (int i = 0; i < served.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(served[i] - own[i]));
        }
        if (!(maxDiff <= options.parityTolerance())) {
            LOG.error("Not publishing {}: ONNX Runtime differs from the trainer by {} (> {}) on the holdout",
                    options.modelName(), maxDiff, options.parityTolerance());
            return new TrainingReport(options.modelName(), TrainingReport.Outcome.PARITY_FAILED, null, 0, null, null, 0,
                    n, positives, fitMillis, maxDiff, "ONNX Runtime differs from the trainer by " + maxDiff,
                    options.ignoredFeatures());
        }

        Evaluation candidateEval = Metrics.evaluate(served, holdout.labels(), options.reviewThreshold());
        ModelVersion champion = currentChampion();
        Evaluation championEval = champion == null ? null : evaluate(champion, holdout);
        boolean promote = championEval == null || Double.isNaN(championEval.rocAuc())
                || candidateEval.rocAuc() >= championEval.rocAuc() + options.gateMargin();
        String gate = String.format("%s (holdout AUC %.4f vs champion %s)", model.summary(), candidateEval.rocAuc(),
                championEval == null ? "none" : String.format("v%d %.4f", champion.getVersion(), championEval.rocAuc()));
        int championVersion = champion == null ? 0 : champion.getVersion();
        if (!promote && options.onWorse() == OnWorse.DISCARD) {
            LOG.info("Discarding candidate for {}: {}", options.modelName(), gate);
            return new TrainingReport(options.modelName(), TrainingReport.Outcome.DISCARDED, null, 0, candidateEval,
                    championEval, championVersion, n, positives, fitMillis, maxDiff, gate, options.ignoredFeatures());
        }
        String name = promote ? options.modelName() : options.shadowName();
        int version = registry.nextVersion(name, Duration.ofSeconds(30));
        Map<String, Double> metrics = new HashMap<>(candidateEval.toMetrics());
        if (championEval != null) {
            metrics.put("champion_roc_auc", championEval.rocAuc());
        }
        metrics.put("fit_seconds", fitMillis / 1000.0);
        metrics.put("parity_max_diff", maxDiff);
        metrics.put("features_used", (double) mask.used());
        ModelVersion.Builder published = ModelVersion.newBuilder(candidate).setName(name).setVersion(version)
                .setRole(promote ? ModelRole.CHAMPION : ModelRole.SHADOW).setMetrics(metrics);
        if (champion != null) {
            published.setParentVersion(champion.getVersion());
        }
        ModelVersion mv = published.build();
        // Signed last: the signature covers the name, version and role set just above.
        if (signer != null) {
            mv = signer.sign(mv);
        }
        registry.publish(mv);
        event(mv, promote ? ModelEventKind.PROMOTED : ModelEventKind.PUBLISHED, options.ignoredFeatures().isEmpty()
                ? gate : gate + "; ignored features: " + String.join(", ", options.ignoredFeatures()));
        LOG.info("Published {} v{} as {}: {}", name, version, mv.getRole(), gate);
        return new TrainingReport(options.modelName(), promote ? TrainingReport.Outcome.PROMOTED
                : TrainingReport.Outcome.SHADOW, name, version, candidateEval, championEval, championVersion, n,
                positives, fitMillis, maxDiff, gate, options.ignoredFeatures());
    }

    private ModelVersion describe(ModelVersion mv, List<TrainingExample> ordered, long positives) {
        return ModelVersion.newBuilder(mv)
                .setFeatureSpecHash(options.specHash())
                .setFeatureNames(options.featureNames())
                .setReviewThreshold(options.reviewThreshold())
                .setBlockThreshold(options.blockThreshold())
                .setTrainingWindow(new io.riffle.schemas.TrainingWindow(ordered.get(0).getEventTime(),
                        ordered.get(ordered.size() - 1).getEventTime(), (long) ordered.size(),
                        positives / (double) ordered.size()))
                .build();
    }

    /** {@code mv} with standard deviation 0 for the ignored features, which reason codes skip. */
    private ModelVersion withoutIgnoredStats(ModelVersion mv) {
        if (!mask.ignoresAny()) {
            return mv;
        }
        List<Float> std = new ArrayList<>(mv.getFeatureStats().getStd());
        for (int i = 0; i < std.size(); i++) {
            if (mask.ignores(i)) {
                std.set(i, 0f);
            }
        }
        return ModelVersion.newBuilder(mv)
                .setFeatureStats(new FeatureStats(mv.getFeatureStats().getMean(), std))
                .build();
    }

    private TrainingReport skipped(int n, long positives, String why) {
        LOG.info("Not training {} yet: {}", options.modelName(), why);
        return new TrainingReport(options.modelName(), TrainingReport.Outcome.SKIPPED, null, 0, null, null, 0, n,
                positives, 0, Double.NaN, why, options.ignoredFeatures());
    }

    /** The newest CHAMPION version of this trainer's model on the models topic, or null. */
    ModelVersion currentChampion() {
        ModelVersion best = null;
        for (ModelVersion mv : registry.list(Duration.ofSeconds(30))) {
            if (mv.getName().equals(options.modelName()) && mv.getRole() == ModelRole.CHAMPION
                    && (best == null || mv.getVersion() > best.getVersion())) {
                best = mv;
            }
        }
        return best;
    }

    /** {@code mv}'s evaluation on {@code holdout}, or null if it cannot be served for this spec. */
    Evaluation evaluate(ModelVersion mv, Dataset holdout) {
        float[] scores = new float[holdout.rows()];
        try (LoadedModel loaded = loader.load(mv, options.featureCount(), options.specHash())) {
            loaded.score(holdout.x(), holdout.rows(), scores);
        } catch (ModelRejectedException e) {
            LOG.warn("Cannot evaluate {} v{} on the holdout: {}", mv.getName(), mv.getVersion(), e.getMessage());
            return null;
        }
        return Metrics.evaluate(scores, holdout.labels(), mv.getReviewThreshold());
    }

    /** {@code mv}'s evaluation on the newest holdout a round used, or null before the first round. */
    public Evaluation evaluateOnLatestHoldout(ModelVersion mv) {
        Dataset holdout = lastHoldout;
        return holdout == null ? null : evaluate(mv, holdout);
    }

    private void event(ModelVersion mv, ModelEventKind kind, String reason) {
        ModelEvent e = new ModelEvent(mv.getName(), mv.getVersion(), kind, reason, null,
                "trainer " + options.modelName(), System.currentTimeMillis());
        events.send(new ProducerRecord<>(options.modelEventsTopic(), mv.getName().getBytes(StandardCharsets.UTF_8),
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
        consumer.wakeup();
        if (thread != null) {
            try {
                thread.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(2)));
        events.close(Duration.ofSeconds(5));
        registry.close();
    }
}
