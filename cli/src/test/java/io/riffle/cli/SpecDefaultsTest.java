package io.riffle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.cli.models.Publish;
import io.riffle.modelops.spec.ModelSpec;
import io.riffle.modelops.spec.OnWorse;
import io.riffle.modelops.spec.TrainerSpec;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The trainer's and the publisher's flags default to what a pipeline file defaults to. */
class SpecDefaultsTest {

    @Test
    void trainerFlagsTakeTheFilesDefaults() {
        TrainerCommand trainer = new TrainerCommand();
        new CommandLine(trainer).parseArgs();
        TrainerSpec file = TrainerSpec.defaults();
        assertThat(trainer.gateMargin).isEqualTo(file.gateMargin());
        assertThat(trainer.window).isEqualTo(file.window());
        assertThat(trainer.maxExamples).isEqualTo(file.maxExamples());
        assertThat(trainer.retrainEvery).isEqualTo(file.retrainEvery());
        assertThat(trainer.retrainAfter).isEqualTo(file.retrainAfterLabels());
        assertThat(trainer.review).isEqualTo(ModelSpec.DEFAULT_REVIEW_THRESHOLD);
        assertThat(trainer.block).isEqualTo(ModelSpec.DEFAULT_BLOCK_THRESHOLD);
        assertThat(OnWorse.valueOf(trainer.onWorse.toUpperCase(java.util.Locale.ROOT)))
                .isEqualTo(ModelSpec.DEFAULT_ON_WORSE);
        assertThat(trainer.bootstrapServers).isEqualTo("localhost:9092");
        assertThat(trainer.minExamples).isEqualTo(file.minExamples());
        assertThat(trainer.minPositives).isEqualTo(file.minPositives());
        assertThat(trainer.holdoutFraction).isEqualTo(file.holdoutFraction());
        assertThat(trainer.validationFraction).isEqualTo(file.validationFraction());
        assertThat(trainer.drift).isEqualTo("adwin");
        assertThat(new CommandLine(trainer).getUsageMessage().replaceAll("\\s+", " "))
                .contains("the file's, else 0.002.").contains("the file's, else PT24H.");
    }

    @Test
    void anExplicitFlagStillWins() {
        TrainerCommand trainer = new TrainerCommand();
        new CommandLine(trainer).parseArgs("--gate-margin", "0.01", "--review-threshold", "0.7");
        assertThat(trainer.gateMargin).isEqualTo(0.01);
        assertThat(trainer.review).isEqualTo(0.7);
    }

    @Test
    void publishThresholdsTakeTheFilesDefaults() {
        String usage = new CommandLine(new Publish()).getUsageMessage().replaceAll("\\s+", " ");
        assertThat(usage).contains("sent to review (default: " + ModelSpec.DEFAULT_REVIEW_THRESHOLD + ")")
                .contains("is blocked (default: " + ModelSpec.DEFAULT_BLOCK_THRESHOLD + ")");
    }
}
