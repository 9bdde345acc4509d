package io.riffle.cli.demo;

import io.riffle.modelops.features.TransactionFeatures;
import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Topics;
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
 */
final class DemoTrainers implements AutoCloseable {
    private final PrintStream out;
    private final ModelRegistry registry;
    private final Map<String, TrainerService> trainers = new ConcurrentHashMap<>();
    /** Holdout ROC-AUC of each published version, by "name vN", from the round that published it. */
    private final Map<String, Double> publishedAuc = new ConcurrentHashMap<>();
    private final AtomicInteger published = new AtomicInteger();
    private final AtomicInteger rounds = new AtomicInteger();

    DemoTrainers(String servers, Duration retrainEvery, Duration window, PrintStream out) {
        this.out = out;
        this.registry = new ModelRegistry(servers, Topics.MODELS);
        add(servers, BootstrapModels.CLASSIFIER, ModelKind.MLP, retrainEvery, window, 0.5, 0.9);
        // The autoencoder's score is the training errors' CDF: 0.99 means stranger than 99% of normal payments.
        add(servers, BootstrapModels.ANOMALY, ModelKind.AUTOENCODER, retrainEvery, window, 0.99, 0.999);
    }

    private void add(String servers, String name, ModelKind kind, Duration every, Duration window, double review,
                     double block) {
        TrainerOptions options = TrainerOptions.builder(servers, name, kind, TransactionFeatures.COUNT,
                        TransactionFeatures.SPEC_HASH, TransactionFeatures.NAMES)
                .training(TrainerConfig.defaults(kind).withMaxEpochs(15))
                .window(window, 150_000)
                .schedule(every, Integer.MAX_VALUE)
                .minimums(2_000, 20)
                .gate(0.002, OnWorse.SHADOW)
                .thresholds(review, block)
                .build();
        trainers.put(name, new TrainerService(options, this::report));
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
