package io.riffle.cli;

import io.riffle.modelops.spec.DriftSpec;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.modelops.spec.ModelSpec;
import io.riffle.modelops.spec.OnWorse;
import io.riffle.modelops.spec.PipelineFiles;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.PipelineSpecException;
import io.riffle.modelops.spec.TrainerParams;
import io.riffle.modelops.trust.KeyFileException;
import io.riffle.modelops.trust.ModelSigner;
import io.riffle.schemas.ModelTask;
import io.riffle.trainer.metrics.TrainerMetrics;
import io.riffle.trainer.model.TrainerConfig;
import io.riffle.trainer.service.PipelineTrainers;
import io.riffle.trainer.service.TrainerOptions;
import io.riffle.trainer.service.TrainerService;
import io.riffle.trainer.service.TrainingReport;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code riffle trainer}: keeps one model retrained on the training topic and publishes better
 * versions. A model the pipeline file declares is trained exactly as {@code riffle run} trains it
 * ({@link PipelineTrainers#options}); each flag given on the command line overrides that one
 * setting, and a flag not given leaves the file's value (its help shows the value a file
 * without the key gets).
 */
@Command(name = "trainer", mixinStandardHelpOptions = true, defaultValueProvider = SpecDefaults.class,
        description = {"Retrains one model on the training topic and publishes better versions.",
                "Keeps a sliding window of labeled examples, retrains on a schedule (and at once when the champion's",
                "live error drifts), and publishes versions that pass the ONNX Runtime parity check and the",
                "champion/challenger gate. A model the pipeline file declares is trained as 'riffle run' trains it;",
                "flags override single settings. Runs until Ctrl-C."})
public final class TrainerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Pipeline file: its topics, Kafka properties,"
            + " features, models and trainer section. Default: the demo's, " + PipelineFiles.DEMO + ".")
    Path pipelineFile;

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers. Default: the file's, else ${DEFAULT-VALUE}.")
    String bootstrapServers;

    @Option(names = "--model", description = "Model to train and publish: one the file declares (its settings come"
            + " from the file), or a new name with --kind. Default: the file's first model.")
    String model;

    @Option(names = "--kind", description = "logistic, mlp, autoencoder or gbdt. Default: the model's trainer.kind in the"
            + " file (a kind other than the file's starts from that kind's default hyper-parameters).")
    String kind;

    @Option(names = "--window", description = "Window length (e.g. 24h, 30m). Default: the file's, else ${DEFAULT-VALUE}.")
    Duration window;

    @Option(names = "--max-examples", description = "Window size cap (newest kept). Default: the file's, else ${DEFAULT-VALUE}.")
    int maxExamples;

    @Option(names = "--retrain-every", description = "Retrain at least this often. Default: the file's, else ${DEFAULT-VALUE}.")
    Duration retrainEvery;

    @Option(names = "--retrain-after", description = "...or after this many new examples. Default: the file's, else ${DEFAULT-VALUE}.")
    int retrainAfter;

    @Option(names = "--min-examples", description = "No training below this many examples. Default: the file's, else ${DEFAULT-VALUE}.")
    int minExamples;

    @Option(names = "--min-positives", description = "No training below this many positives. Default: the file's, else ${DEFAULT-VALUE}.")
    int minPositives;

    @Option(names = "--holdout-fraction", description = "Newest share of the window held out for the gate; 0: none (fit on the whole"
            + " window, promote without a gate). Default: the file's, else ${DEFAULT-VALUE}.")
    double holdoutFraction;

    @Option(names = "--validation-fraction", description = "Newest share of the rest that stops dense fits early. Default:"
            + " the file's, else ${DEFAULT-VALUE}.")
    double validationFraction;

    @Option(names = "--drift", description = "Drift detector on the champion's live error: adwin or off. Default: the file's,"
            + " else ${DEFAULT-VALUE}.")
    String drift;

    @Option(names = "--gate-margin", description = "ROC-AUC a candidate must gain over the champion. Default: the file's, else"
            + " ${DEFAULT-VALUE}.")
    double gateMargin;

    @Option(names = "--on-worse", description = "shadow (publish as <model>-shadow) or discard. Default: the file's, else"
            + " ${DEFAULT-VALUE}.")
    String onWorse;

    @Option(names = "--review-threshold", description = "Review threshold stamped on versions. Default: the file's, else"
            + " ${DEFAULT-VALUE}.")
    double review;

    @Option(names = "--block-threshold", description = "Block threshold stamped on versions. Default: the file's, else"
            + " ${DEFAULT-VALUE}.")
    double block;

    @Option(names = "--max-epochs", description = "Safety cap on training epochs (dense kinds; patience is what ends a fit,"
            + " and the round's summary says if the cap did). Default: the file's params, else the kind's.")
    Integer maxEpochs;

    @Option(names = "--patience", description = "Epochs (gbdt: rounds) without a better validation loss before stopping."
            + " Default: the file's params, else the kind's.")
    Integer patience;

    @Option(names = "--metrics-port", defaultValue = "9400", paramLabel = "PORT",
            description = "Port of the trainer's Prometheus metrics (/metrics); 0: a free port, -1: none. "
                    + "Default: ${DEFAULT-VALUE} (a free port when taken; a port given here must be free).")
    int metricsPort;

    @Option(names = "--metrics-bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "Address the metrics endpoint listens on (0.0.0.0 for every interface, e.g. in a "
                    + "container). Default: ${DEFAULT-VALUE}.")
    String metricsBind;

    @Option(names = "--signing-key", paramLabel = "FILE", description = "Sign every published version with this Ed25519"
            + " private key (from 'riffle models keygen'). Default: the pipeline file's trainer.signing-key, if any.")
    Path signingKey;

    @Override
    public Integer call() throws Exception {
        Path file = pipelineFile != null ? pipelineFile : PipelineFiles.shipped(PipelineFiles.DEMO);
        PipelineSpec pipeline;
        try {
            pipeline = PipelineSpec.load(file);
        } catch (PipelineSpecException e) {
            System.err.println(e.report("Not started", file));
            return 1;
        }
        TrainerOptions options;
        try {
            options = options(pipeline, file);
        } catch (IllegalArgumentException e) {
            // A value the trainer refuses (a fraction out of range, an unknown kind): one line and a hint.
            System.err.println("Not started: " + e.getMessage());
            System.err.println("Hint: see riffle trainer --help for each option's range.");
            return 1;
        }
        if (options == null) {
            return 1;
        }
        if (options.signingKey() != null) {
            try {
                // Read once here so a wrong file is one line, not a stack trace from the service.
                ModelSigner.fromFile(options.signingKey());
            } catch (KeyFileException e) {
                System.err.println("Not started: " + e.getMessage());
                return 1;
            }
        }
        CountDownLatch stop = new CountDownLatch(1);
        TrainerMetrics metrics = null;
        if (metricsPort >= 0) {
            try {
                // The default port moves aside when taken (say, a second trainer on one machine); a given one must be free.
                metrics = given("--metrics-port") ? TrainerMetrics.serve(metricsBind, metricsPort)
                        : TrainerMetrics.serveOrAnyPort(metricsBind, metricsPort);
            } catch (UncheckedIOException | IllegalArgumentException e) {
                System.err.println("Not started: " + e.getMessage());
                System.err.println("Hint: pick another --metrics-port (0: any free port, -1: none) or --metrics-bind.");
                return 1;
            }
        }
        TrainerService started;
        try {
            started = new TrainerService(options, TrainerCommand::print, metrics);
        } catch (IllegalStateException | KafkaException e) {
            if (metrics != null) {
                metrics.close();
            }
            // A missing training topic or a broker that does not answer: one line, no stack trace.
            System.err.println("Not started: " + e.getMessage());
            System.err.println("Hint: check --bootstrap-servers (" + options.bootstrapServers() + ") and the training topic"
                    + " of " + file + " (" + options.trainingTopic() + "); riffle run creates the file's topics.");
            return 1;
        }
        try (TrainerMetrics served = metrics; TrainerService service = started) {
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            service.start();
            System.out.printf(Locale.ROOT, "Training %s (%s) on %s; window %s (at most %d); retraining every %s or after %d"
                            + " examples%s; versions %s. Ctrl-C stops.%n", options.modelName(),
                    options.training().kind().id(), options.trainingTopic(), options.window(), options.maxExamples(),
                    options.retrainEvery(), options.retrainAfterLabels(),
                    options.drift().enabled() ? " and when drift is detected" : "",
                    options.signingKey() == null ? "unsigned" : "signed with " + options.signingKey());
            if (served != null) {
                System.out.println("Metrics (Prometheus): " + served.url() + " (trainer)");
            }
            stop.await();
        }
        return 0;
    }

    /**
     * The file's options for the model (as {@code riffle run} builds them), with every flag given
     * on the command line applied over them; null (after printing why) when the model is unknown.
     */
    TrainerOptions options(PipelineSpec pipeline, Path file) {
        String servers = given("--bootstrap-servers") ? bootstrapServers : pipeline.kafka().bootstrapServers();
        List<String> declared = pipeline.models().stream().map(ModelSpec::name).toList();
        String name = model != null ? model : declared.isEmpty() ? null : declared.get(0);
        ModelSpec declaredModel = pipeline.models().stream().filter(m -> m.name().equals(name)).findFirst().orElse(null);
        TrainerOptions.Builder b;
        ModelKind modelKind;
        if (declaredModel != null) {
            b = PipelineTrainers.options(pipeline, declaredModel, servers).toBuilder();
            modelKind = declaredModel.trainer();
            if (kind != null && ModelKind.parse(kind) != modelKind) {
                modelKind = ModelKind.parse(kind);
                b.training(TrainerConfig.defaults(modelKind));
            }
        } else if (name != null && kind != null) {
            // A model the file does not declare: the file's trainer section, the kind's defaults.
            modelKind = ModelKind.parse(kind);
            ModelTask task = modelKind == ModelKind.AUTOENCODER ? ModelTask.ANOMALY : ModelTask.BINARY;
            ModelSpec adHoc = new ModelSpec(name, task, modelKind,
                    TrainerParams.defaults(modelKind), ModelSpec.DEFAULT_REVIEW_THRESHOLD,
                    ModelSpec.DEFAULT_BLOCK_THRESHOLD, ModelSpec.DEFAULT_ON_WORSE, pipeline.trainer().gateMargin(),
                    List.of(), ModelSpec.DEFAULT_TOP_K);
            b = PipelineTrainers.options(pipeline, adHoc, servers).toBuilder();
        } else {
            System.err.println("Not started: " + (name == null ? file + " declares no model"
                    : "model '" + name + "' is not declared in " + file + " (it declares: " + String.join(", ", declared) + ")"));
            System.err.println("Hint: pass --model with one of the file's models, or --kind to train a model the file"
                    + " does not declare.");
            return null;
        }
        TrainerOptions base = b.build();
        TrainerConfig config = base.training();
        if (maxEpochs != null) {
            config = config.withMaxEpochs(maxEpochs);
        }
        if (patience != null) {
            config = config.withPatience(patience);
        }
        b.training(config).bootstrapServers(servers);
        if (given("--window") || given("--max-examples")) {
            b.window(given("--window") ? window : base.window(), given("--max-examples") ? maxExamples : base.maxExamples());
        }
        if (given("--retrain-every") || given("--retrain-after")) {
            b.schedule(given("--retrain-every") ? retrainEvery : base.retrainEvery(),
                    given("--retrain-after") ? retrainAfter : base.retrainAfterLabels());
        }
        if (given("--min-examples") || given("--min-positives")) {
            b.minimums(given("--min-examples") ? minExamples : base.minExamples(),
                    given("--min-positives") ? minPositives : base.minPositives());
        }
        if (given("--holdout-fraction")) {
            b.holdout(holdoutFraction);
        }
        if (given("--validation-fraction")) {
            b.validation(validationFraction);
        }
        if (given("--drift")) {
            b.drift(parseDrift(drift));
        }
        if (given("--gate-margin") || given("--on-worse")) {
            b.gate(given("--gate-margin") ? gateMargin : base.gateMargin(),
                    given("--on-worse") ? parseOnWorse(onWorse) : base.onWorse());
        }
        if (given("--review-threshold") || given("--block-threshold")) {
            b.thresholds(given("--review-threshold") ? review : base.reviewThreshold(),
                    given("--block-threshold") ? block : base.blockThreshold());
        }
        if (signingKey != null) {
            b.signingKey(signingKey);
        }
        return b.build();
    }

    private boolean given(String option) {
        return spec != null && spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    private static OnWorse parseOnWorse(String text) {
        for (OnWorse o : OnWorse.values()) {
            if (o.name().equalsIgnoreCase(text.trim())) {
                return o;
            }
        }
        throw new IllegalArgumentException("--on-worse '" + text + "' is not shadow or discard");
    }

    private static DriftSpec parseDrift(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "adwin" -> DriftSpec.defaults();
            case "off" -> DriftSpec.off();
            default -> throw new IllegalArgumentException("--drift '" + text + "' is not adwin or off");
        };
    }

    public static void print(TrainingReport r) {
        System.out.printf(Locale.ROOT, "%s: %s%s — %d examples (%d positive), fit %.1f s — %s%n", r.modelName(),
                r.outcome(), r.published() ? " as " + r.publishedName() + " v" + r.version() : "", r.examples(),
                r.positives(), r.fitMillis() / 1000.0, r.detail());
    }
}
