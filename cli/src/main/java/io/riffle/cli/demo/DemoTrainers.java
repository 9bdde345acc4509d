package io.riffle.cli.demo;

import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.modelops.spec.FeatureSpec;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelVersion;
import io.riffle.trainer.eval.Evaluation;
import io.riffle.trainer.model.ModelKind;
import io.riffle.trainer.model.TrainerConfig;
import io.riffle.trainer.service.OnWorse;
import io.riffle.trainer.service.TrainerOptions;
import io.riffle.trainer.service.TrainerService;
import io.riffle.trainer.service.TrainingReport;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 */
final class DemoTrainers implements AutoCloseable {
    static final int MAX_EPOCHS = 15;
    static final int MAX_EXAMPLES = 150_000;
    static final int MIN_EXAMPLES = 2_000;
    static final int MIN_POSITIVES = 20;
    static final double GATE_MARGIN = 0.002;

    private final PrintStream out;
    private final ModelRegistry registry;
    private final Map<String, TrainerService> trainers = new ConcurrentHashMap<>();
    /** Holdout ROC-AUC of each published version, by "name vN", from the round that published it. */
    private final Map<String, Double> publishedAuc = new ConcurrentHashMap<>();
    private final AtomicInteger published = new AtomicInteger();
    private final AtomicInteger rounds = new AtomicInteger();

    DemoTrainers(PipelineSpec pipeline, String servers, Duration retrainEvery, Duration window, PrintStream out) {
        this.out = out;
        this.registry = new ModelRegistry(servers, pipeline.kafka().topics().models());
        add(pipeline, servers, BootstrapModels.CLASSIFIER, ModelKind.MLP, retrainEvery, window, 0.5, 0.9);
        // The autoencoder's score is the training errors' CDF: 0.99 means stranger than 99% of normal payments.
        add(pipeline, servers, BootstrapModels.ANOMALY, ModelKind.AUTOENCODER, retrainEvery, window, 0.99, 0.999);
    }

    private void add(PipelineSpec pipeline, String servers, String name, ModelKind kind, Duration every,
                     Duration window, double review, double block) {
        trainers.put(name, new TrainerService(options(pipeline, servers, name, kind, every, window, review, block),
                this::report));
    }

    /** One trainer's options: the pipeline's feature contract and topics, the demo's settings. */
    static TrainerOptions options(PipelineSpec pipeline, String servers, String name, ModelKind kind, Duration every,
                                  Duration window, double review, double block) {
        FeatureSpec features = pipeline.features();
        KafkaSpec.TopicNames topics = pipeline.kafka().topics();
        return TrainerOptions.builder(servers, name, kind, features.count(), features.hash(), features.names())
                .topics(topics.training(), topics.models(), topics.modelEvents())
                .training(TrainerConfig.defaults(kind).withMaxEpochs(MAX_EPOCHS))
                .window(window, MAX_EXAMPLES)
                .schedule(every, Integer.MAX_VALUE)
                .minimums(MIN_EXAMPLES, MIN_POSITIVES)
                .gate(GATE_MARGIN, OnWorse.SHADOW)
                .thresholds(review, block)
                .build();
    }

    void start() {
        trainers.values().forEach(TrainerService::start);
    }

    private void report(TrainingReport r) {
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
