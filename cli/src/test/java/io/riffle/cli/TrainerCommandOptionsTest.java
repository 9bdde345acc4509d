package io.riffle.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.modelops.spec.DriftSpec;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.modelops.spec.OnWorse;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.trainer.service.PipelineTrainers;
import io.riffle.trainer.service.TrainerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code riffle trainer --config FILE --model NAME} trains the model as {@code riffle run} would
 * (every setting from the file), and each flag given overrides only its own setting. No Kafka:
 * the options are built, not started.
 */
class TrainerCommandOptionsTest {

    private static final String TRAINER_SECTION = """
            trainer:
              window: 7m
              max-examples: 5000
              every: 9s
              after: 300
              gate-margin: 0.01
              min-examples: 200
              min-positives: 5
              holdout-fraction: 0.1
              validation-fraction: 0.25
              drift: {detector: adwin, delta: 0.01}
            """;

    private static Path file(Path dir) throws Exception {
        Files.copy(Path.of("../pipelines/generic-30.avsc"), dir.resolve("generic-30.avsc"));
        String yaml = Files.readString(Path.of("../pipelines/generic-30.yaml"));
        yaml = yaml.substring(0, yaml.indexOf("\ntrainer:")) + "\n" + TRAINER_SECTION + yaml.substring(yaml.indexOf("\nscoring:"));
        yaml = yaml.replace("    trainer: {kind: logistic}", "    trainer: {kind: mlp, params: {hidden-layers: [8],"
                + " max-epochs: 77, patience: 4}, ignore: [x29]}\n    on-worse: discard");
        yaml = yaml.replace("    labels: generic.labels", "    labels: generic.labels\n    training: g.training\n    models: g.models"
                + "\n    model-events: g.events\n  properties: {client.id: from-file}");
        Path f = dir.resolve("g.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private static TrainerOptions options(Path file, String... args) throws Exception {
        TrainerCommand command = new TrainerCommand();
        new CommandLine(command).parseArgs(args);
        return command.options(PipelineSpec.load(file), file);
    }

    @Test
    void withoutFlagsEverySettingComesFromTheFileAsRiffleRunTakesIt(@TempDir Path dir) throws Exception {
        Path f = file(dir);
        PipelineSpec spec = PipelineSpec.load(f);
        TrainerOptions o = options(f, "--config", f.toString(), "--model", "generic");
        TrainerOptions asRun = PipelineTrainers.options(spec, spec.models().get(0), spec.kafka().bootstrapServers());

        assertThat(o).isEqualTo(asRun);
        assertThat(o.trainingTopic()).isEqualTo("g.training");
        assertThat(o.modelsTopic()).isEqualTo("g.models");
        assertThat(o.modelEventsTopic()).isEqualTo("g.events");
        assertThat(o.kafkaProperties()).containsEntry("client.id", "from-file");
        assertThat(o.window()).isEqualTo(Duration.ofMinutes(7));
        assertThat(o.maxExamples()).isEqualTo(5000);
        assertThat(o.retrainEvery()).isEqualTo(Duration.ofSeconds(9));
        assertThat(o.retrainAfterLabels()).isEqualTo(300);
        assertThat(o.minExamples()).isEqualTo(200);
        assertThat(o.minPositives()).isEqualTo(5);
        assertThat(o.holdoutFraction()).isEqualTo(0.1);
        assertThat(o.validationFraction()).isEqualTo(0.25);
        assertThat(o.drift()).isEqualTo(new DriftSpec(DriftSpec.Detector.ADWIN, 0.01));
        assertThat(o.gateMargin()).isEqualTo(0.01);
        assertThat(o.onWorse()).isEqualTo(OnWorse.DISCARD);
        assertThat(o.training().kind()).isEqualTo(ModelKind.MLP);
        assertThat(o.training().hiddenLayers()).containsExactly(8);
        assertThat(o.training().maxEpochs()).isEqualTo(77);
        assertThat(o.training().patience()).isEqualTo(4);
        assertThat(o.ignoredFeatures()).containsExactly("x29");
        assertThat(o.bootstrapServers()).isEqualTo("localhost:9092");
        // --model defaults to the file's first model.
        assertThat(options(f, "--config", f.toString())).isEqualTo(asRun);
    }

    @Test
    void eachFlagGivenOverridesOnlyItsOwnSetting(@TempDir Path dir) throws Exception {
        Path f = file(dir);
        TrainerOptions o = options(f, "--config", f.toString(), "--model", "generic", "--min-examples", "300",
                "--max-epochs", "12", "--drift", "off", "--retrain-after", "50", "--bootstrap-servers", "b:1");
        assertThat(o.minExamples()).isEqualTo(300);
        assertThat(o.minPositives()).isEqualTo(5);
        assertThat(o.training().maxEpochs()).isEqualTo(12);
        assertThat(o.training().patience()).isEqualTo(4);
        assertThat(o.training().hiddenLayers()).containsExactly(8);
        assertThat(o.drift().enabled()).isFalse();
        assertThat(o.retrainAfterLabels()).isEqualTo(50);
        assertThat(o.retrainEvery()).isEqualTo(Duration.ofSeconds(9));
        assertThat(o.bootstrapServers()).isEqualTo("b:1");
        assertThat(o.window()).isEqualTo(Duration.ofMinutes(7));
        assertThat(o.trainingTopic()).isEqualTo("g.training");
    }

    @Test
    void aModelTheFileDoesNotDeclareNeedsAKindAndOtherwiseIsOneLineWithAHint(@TempDir Path dir) throws Exception {
        Path f = file(dir);
        TrainerOptions adHoc = options(f, "--config", f.toString(), "--model", "other", "--kind", "gbdt");
        assertThat(adHoc.modelName()).isEqualTo("other");
        assertThat(adHoc.training().kind()).isEqualTo(ModelKind.GBDT);
        assertThat(adHoc.minExamples()).isEqualTo(200);
        assertThat(adHoc.trainingTopic()).isEqualTo("g.training");

        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        TrainerOptions none;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            none = options(f, "--config", f.toString(), "--model", "other");
        } finally {
            System.setErr(stderr);
        }
        assertThat(none).isNull();
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("Not started: model 'other' is not declared in " + f + " (it declares: generic)");
        assertThat(lines.get(1)).startsWith("Hint: ");
    }

    @Test
    void aValueTheTrainerRefusesIsAnErrorNamingIt(@TempDir Path dir) throws Exception {
        Path f = file(dir);
        assertThatThrownBy(() -> options(f, "--config", f.toString(), "--holdout-fraction", "0.7"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holdout fraction must be in [0, 0.5)");
        assertThatThrownBy(() -> options(f, "--config", f.toString(), "--drift", "sometimes"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--drift 'sometimes' is not adwin or off");
    }
}
