package io.riffle.cli;

import io.riffle.modelops.spec.FeatureSpec;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.PipelineFiles;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.PipelineSpecException;
import io.riffle.modelops.trust.KeyFileException;
import io.riffle.modelops.trust.ModelSigner;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.trainer.model.TrainerConfig;
import io.riffle.modelops.spec.OnWorse;
import io.riffle.trainer.service.TrainerOptions;
import io.riffle.trainer.service.TrainerService;
import io.riffle.trainer.service.TrainingReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import org.apache.kafka.common.KafkaException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code riffle trainer}: keeps one model retrained on the training topic and publishes better versions. */
@Command(name = "trainer", mixinStandardHelpOptions = true, defaultValueProvider = SpecDefaults.class,
        description = {"Retrains one model on the training topic and publishes better versions.",
                "Keeps a sliding window of labeled examples, retrains on a schedule, and publishes versions that",
                "pass the ONNX Runtime parity check and the champion/challenger gate. Runs until Ctrl-C."})
public final class TrainerCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "Pipeline file whose features the model is"
            + " trained on (their count, names and spec hash are stamped on every version). Default: the demo's,"
            + " " + PipelineFiles.DEMO + ".")
    Path pipelineFile;

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers. Default: ${DEFAULT-VALUE}.")
    String bootstrapServers;

    @Option(names = "--model", defaultValue = "fraud", description = "Model name to train and publish. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--kind", defaultValue = "mlp", description = "logistic, mlp, autoencoder or gbdt. Default: ${DEFAULT-VALUE}.")
    String kind;

    @Option(names = "--window", description = "Window length (e.g. 24h, 30m). Default: ${DEFAULT-VALUE}.")
    Duration window;

    @Option(names = "--max-examples", description = "Window size cap (newest kept). Default: ${DEFAULT-VALUE}.")
    int maxExamples;

    @Option(names = "--retrain-every", description = "Retrain at least this often. Default: ${DEFAULT-VALUE}.")
    Duration retrainEvery;

    @Option(names = "--retrain-after", description = "...or after this many new examples. Default: ${DEFAULT-VALUE}.")
    int retrainAfter;

    @Option(names = "--min-examples", defaultValue = "1000", description = "No training below this many examples. Default: ${DEFAULT-VALUE}.")
    int minExamples;

    @Option(names = "--min-positives", defaultValue = "20", description = "No training below this many positives. Default: ${DEFAULT-VALUE}.")
    int minPositives;

    @Option(names = "--gate-margin", description = "ROC-AUC a candidate must gain over the champion. Default: ${DEFAULT-VALUE}.")
    double gateMargin;

    @Option(names = "--on-worse", description = "shadow (publish as <model>-shadow) or discard. Default: ${DEFAULT-VALUE}.")
    String onWorse;

    @Option(names = "--review-threshold", description = "Review threshold stamped on versions. Default: ${DEFAULT-VALUE}.")
    double review;

    @Option(names = "--block-threshold", description = "Block threshold stamped on versions. Default: ${DEFAULT-VALUE}.")
    double block;

    @Option(names = "--max-epochs", description = "Cap on training epochs (dense kinds).")
    Integer maxEpochs;

    @Option(names = "--signing-key", paramLabel = "FILE", description = "Sign every published version with this Ed25519"
            + " private key (from 'riffle models keygen'). Default: the pipeline file's trainer.signing-key, if any.")
    Path signingKey;

    @Override
    public Integer call() throws Exception {
        ModelKind modelKind = ModelKind.parse(kind);
        TrainerConfig config = TrainerConfig.defaults(modelKind);
        if (maxEpochs != null) {
            config = config.withMaxEpochs(maxEpochs);
        }
        Path file = pipelineFile != null ? pipelineFile : PipelineFiles.shipped(PipelineFiles.DEMO);
        FeatureSpec features;
        KafkaSpec kafka;
        Path key = signingKey;
        try {
            PipelineSpec pipeline = PipelineSpec.load(file);
            features = pipeline.features();
            kafka = pipeline.kafka();
            if (key == null) {
                key = pipeline.trainer().signingKey();
            }
        } catch (PipelineSpecException e) {
            System.err.println(e.report("Not started", file));
            return 1;
        }
        if (key != null) {
            try {
                // Read once here so a wrong file is one line, not a stack trace from the service.
                ModelSigner.fromFile(key);
            } catch (KeyFileException e) {
                System.err.println("Not started: " + e.getMessage());
                return 1;
            }
        }
        TrainerOptions options = TrainerOptions.builder(bootstrapServers, model, modelKind, features.count(),
                        features.hash(), features.names())
                .training(config)
                // The file's topics and client properties, as riffle run's trainers use them.
                .topics(kafka.topics().training(), kafka.topics().models(), kafka.topics().modelEvents())
                .kafkaProperties(kafka.properties())
                .window(window, maxExamples)
                .schedule(retrainEvery, retrainAfter)
                .minimums(minExamples, minPositives)
                .gate(gateMargin, OnWorse.valueOf(onWorse.trim().toUpperCase(Locale.ROOT)))
                .thresholds(review, block)
                .signingKey(key)
                .build();
        CountDownLatch stop = new CountDownLatch(1);
        TrainerService started;
        try {
            started = new TrainerService(options, TrainerCommand::print);
        } catch (IllegalStateException | KafkaException e) {
            // A missing training topic or a broker that does not answer: one line, no stack trace.
            System.err.println("Not started: " + e.getMessage());
            System.err.println("Hint: check --bootstrap-servers (" + bootstrapServers + ") and the training topic"
                    + " of " + file + " (" + options.trainingTopic() + "); riffle run creates the file's topics.");
            return 1;
        }
        try (TrainerService service = started) {
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            service.start();
            System.out.printf(Locale.ROOT, "Training %s (%s) on %s; retraining every %s or after %d examples; versions %s."
                    + " Ctrl-C stops.%n", model, modelKind.name().toLowerCase(Locale.ROOT), options.trainingTopic(),
                    retrainEvery, retrainAfter, key == null ? "unsigned" : "signed with " + key);
            stop.await();
        }
        return 0;
    }

    public static void print(TrainingReport r) {
        System.out.printf(Locale.ROOT, "%s: %s%s — %d examples (%d positive), fit %.1f s — %s%n", r.modelName(),
                r.outcome(), r.published() ? " as " + r.publishedName() + " v" + r.version() : "", r.examples(),
                r.positives(), r.fitMillis() / 1000.0, r.detail());
    }
}
