package io.riffle.cli.models;

import io.riffle.cli.SpecDefaults;
import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.registry.ModelPublisher;
import io.riffle.modelops.registry.ModelRegistryException;
import io.riffle.modelops.registry.ModelVersions;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.PipelineSpecException;
import io.riffle.modelops.trust.KeyFileException;
import io.riffle.modelops.trust.ModelSigner;
import io.riffle.modelops.serving.LoadedModel;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.modelops.validation.ModelRejectedException;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code riffle models publish}: validate an ONNX file locally, then publish it as the next version. */
@Command(
        name = "publish",
        defaultValueProvider = SpecDefaults.class,
        mixinStandardHelpOptions = true,
        description = {
            "Publish an ONNX model as the next version of NAME on the models topic.",
            "The file is validated first (ONNX Runtime loads it, input float [batch, N], output fits the task,"
                    + " golden batch in [0,1], or rows that sum to 1 for multiclass); a model that fails is not published."
        })
public final class Publish implements Callable<Integer> {

    static final int EXIT_REJECTED = 1;
    static final int EXIT_KAFKA = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--file", required = true, paramLabel = "FILE", description = "The .onnx model file.")
    Path file;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "Model name (the record key).")
    String name;

    @Option(names = "--task", required = true, paramLabel = "TASK", converter = CliConverters.Task.class,
            description = "binary (probability of the positive class), anomaly (score in [0,1]) or multiclass"
                    + " (output [N,K], one column per class; give --labels).")
    ModelTask task;

    @Option(names = "--labels", paramLabel = "FILE|A,B,...",
            description = "multiclass: the class label (item or category id) of each output column, in column order:"
                    + " a file with one label per line, or the labels separated by commas.")
    String labels;

    @Option(names = "--output-kind", paramLabel = "KIND", defaultValue = "probabilities",
            description = "multiclass: probabilities (rows sum to 1) or logits (the scorer applies softmax)"
                    + " (default: ${DEFAULT-VALUE}).")
    String outputKind;

    @Option(names = "--features", paramLabel = "N",
            description = "Width of the float input [batch, N]: the number of features (or give --config).")
    Integer features;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A pipeline file: stamps the model with its feature count, names and spec hash.")
    Path config;

    /** The --config file, once read (its Kafka properties reach the registry's clients too). */
    private PipelineSpec pipeline;

    @Option(names = "--feature-names", paramLabel = "A,B,...", split = ",",
            description = "The feature names in the model's input order; checked against --config's, stamped on the version.")
    List<String> featureNames;

    @Option(names = "--input", paramLabel = "NAME", description = "Input tensor name (default: the model's only input).")
    String inputName;

    @Option(names = "--output", paramLabel = "NAME", description = "Output tensor name (default: the model's first output).")
    String outputName;

    @Option(names = "--positive-index", paramLabel = "I", defaultValue = "1",
            description = "Column of the positive class when a binary output is [N,2] (default: ${DEFAULT-VALUE}).")
    int positiveIndex;

    @Option(names = "--review-threshold", paramLabel = "X",
            description = "Score at or above which an event is sent to review (default: ${DEFAULT-VALUE}).")
    double reviewThreshold;

    @Option(names = "--block-threshold", paramLabel = "Y",
            description = "Score at or above which an event is blocked (default: ${DEFAULT-VALUE}).")
    double blockThreshold;

    @Option(names = "--role", paramLabel = "ROLE", defaultValue = "champion", converter = CliConverters.Role.class,
            description = "champion, shadow or challenger (default: ${DEFAULT-VALUE}).")
    ModelRole role;

    @Option(names = "--spec-hash", paramLabel = "HASH", description = "Feature spec hash the model was built for.")
    String specHash;

    @Option(names = "--signing-key", paramLabel = "FILE",
            description = "Sign the version with this Ed25519 private key (from 'riffle models keygen');"
                    + " scorers with trusted keys serve only versions signed with one of them.")
    Path signingKey;

    @Mixin
    RegistryOptions registry;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // Written so that NaN fails too; the scorer would reject such a version anyway.
        if (!(0 <= reviewThreshold && reviewThreshold <= blockThreshold && blockThreshold <= 1)) {
            err.printf("not published: --review-threshold %s and --block-threshold %s must satisfy"
                    + " 0 <= review <= block <= 1%n", reviewThreshold, blockThreshold);
            return EXIT_REJECTED;
        }
        ModelSigner signer = null;
        if (signingKey != null) {
            try {
                signer = ModelPublisher.signer(signingKey);
            } catch (KeyFileException e) {
                err.printf("not published: %s%n", e.getMessage());
                return EXIT_REJECTED;
            }
        }
        List<String> classLabels;
        try {
            classLabels = classLabels();
        } catch (IllegalArgumentException e) {
            err.printf("not published: %s%n", e.getMessage());
            return EXIT_REJECTED;
        }
        String stampError = resolveFeatures();
        if (stampError != null) {
            err.printf("not published: %s%n", stampError);
            return EXIT_REJECTED;
        }
        byte[] onnx;
        try {
            onnx = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            err.printf("not published: model file %s does not exist%n", file);
            return EXIT_REJECTED;
        } catch (IOException e) {
            err.printf("not published: cannot read model file %s: %s%n", file, e);
            return EXIT_REJECTED;
        }
        try (ModelPublisher models = ModelPublisher.owning(
                registry.open(pipeline == null ? Map.of() : pipeline.kafka().properties()), signer)) {
            int version = models.nextVersion(name, registry.timeout);
            ModelVersion mv = ModelVersion.newBuilder(ModelVersions.fromOnnx(onnx, name, version, task, features))
                    .setRole(role)
                    .setInputName(inputName)
                    .setOutputName(outputName)
                    .setPositiveIndex(positiveIndex)
                    .setReviewThreshold(reviewThreshold)
                    .setBlockThreshold(blockThreshold)
                    .setFeatureSpecHash(specHash)
                    .setFeatureNames(featureNames == null ? List.of() : featureNames)
                    .setClassLabels(classLabels)
                    .setOutputKind(task == ModelTask.MULTICLASS ? outputKind : null)
                    .build();
            String problem = validate(mv);
            if (problem != null) {
                err.printf("not published: %s%n", problem);
                err.println("Fix the model (or the --features/--input/--output/--task/--positive-index/--labels/"
                        + "--output-kind options) and publish again.");
                return EXIT_REJECTED;
            }
            // Signed by the publisher, last: the signature covers the version number and every field set above.
            mv = models.publish(mv);
            out.printf("published %s v%d (sha256 %s, %d bytes%s) to %s%n", name, version, mv.getSha256(), onnx.length,
                    models.signedWith() == null ? ", unsigned" : ", signed with " + models.signedWith(), registry.topic);
            return 0;
        } catch (ModelRegistryException e) {
            err.printf("not published: %s%n", e.getMessage());
            return EXIT_KAFKA;
        }
    }

    /**
     * {@code --labels} for a multiclass model (required there, refused elsewhere): the lines of the
     * file it names, or its comma-separated values; blank entries are left out.
     *
     * @throws IllegalArgumentException saying what to give instead
     */
    List<String> classLabels() {
        if (task != ModelTask.MULTICLASS) {
            if (labels != null) {
                throw new IllegalArgumentException("--labels is for --task multiclass; a " + task.name()
                        .toLowerCase(java.util.Locale.ROOT) + " model has no classes");
            }
            return List.of();
        }
        if (labels == null || labels.isBlank()) {
            throw new IllegalArgumentException("a multiclass model needs --labels FILE|a,b,c: the label of each"
                    + " output column, in column order");
        }
        if (!LoadedModel.PROBABILITIES.equals(outputKind) && !LoadedModel.LOGITS.equals(outputKind)) {
            throw new IllegalArgumentException("--output-kind '" + outputKind + "' is not one of "
                    + LoadedModel.PROBABILITIES + ", " + LoadedModel.LOGITS);
        }
        Path path = Path.of(labels);
        List<String> raw;
        if (Files.isRegularFile(path)) {
            try {
                raw = Files.readAllLines(path);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the labels file " + path + ": " + e.getMessage());
            }
        } else if (labels.contains(",")) {
            raw = List.of(labels.split(","));
        } else {
            throw new IllegalArgumentException("--labels " + labels + ": no such file; give a file with one label per"
                    + " line, or the labels separated by commas");
        }
        return raw.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * Settles the feature count, names and spec hash from {@code --config}, {@code --features} and
     * {@code --feature-names}; returns what does not agree, or null.
     */
    String resolveFeatures() {
        if (config != null) {
            try {
                pipeline = PipelineSpec.load(config);
            } catch (PipelineSpecException e) {
                return e.getMessage();
            }
            List<String> names = pipeline.features().names();
            if (features != null && features != names.size()) {
                return "--features " + features + " but " + config + " computes " + names.size() + " features";
            }
            if (featureNames != null && !featureNames.equals(names)) {
                return "--feature-names differ from " + config + ": " + firstDifference(featureNames, names);
            }
            if (specHash != null && !specHash.equals(pipeline.features().hash())) {
                return "--spec-hash " + specHash + " but " + config + " has spec hash " + pipeline.features().hash();
            }
            features = names.size();
            featureNames = names;
            specHash = pipeline.features().hash();
            return null;
        }
        if (features == null) {
            return "give --features N or --config FILE (the pipeline the model was trained for)";
        }
        if (featureNames != null && featureNames.size() != features) {
            return "--feature-names lists " + featureNames.size() + " names but --features is " + features;
        }
        return null;
    }

    private static String firstDifference(List<String> given, List<String> expected) {
        for (int i = 0; i < Math.min(given.size(), expected.size()); i++) {
            if (!given.get(i).equals(expected.get(i))) {
                return "position " + (i + 1) + " is '" + given.get(i) + "', the pipeline has '" + expected.get(i) + "'";
            }
        }
        return given.size() + " names given, the pipeline has " + expected.size();
    }

    /** Returns the rejection reason, or null when the model would be served. */
    static String validate(ModelVersion mv) {
        // A private cache: a CLI run must not keep a session open in a shared cache.
        ModelLoader loader = new ModelLoader(EngineOptions.defaults(), ModelLoader.DEFAULT_MAX_MODEL_BYTES,
                new io.riffle.modelops.engine.SessionCache());
        try (LoadedModel ignored = loader.load(mv, mv.getFeatureCount(), null)) {
            return null;
        } catch (ModelRejectedException e) {
            return e.getMessage();
        }
    }
}
