package io.riffle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.embedded.EmbeddedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code riffle trainer --config FILE} against a real (embedded) broker: the file's topics, and user errors in one line. */
class TrainerCommandITCase {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aMissingTrainingTopicOfTheFileIsOneLineWithAHintNotAStackTrace(@TempDir Path dir) throws Exception {
        // generic-30 with a training topic of its own, which does not exist on the broker.
        Files.copy(Path.of("../pipelines/generic-30.avsc"), dir.resolve("generic-30.avsc"));
        String yaml = Files.readString(Path.of("../pipelines/generic-30.yaml"))
                .replace("    labels: generic.labels", "    labels: generic.labels\n    training: generic.training");
        assertThat(yaml).contains("training: generic.training");
        Path file = dir.resolve("generic-30.yaml");
        Files.writeString(file, yaml);

        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = new CommandLine(new TrainerCommand()).execute("--config", file.toString(), "--model", "generic",
                    "--bootstrap-servers", kafka.bootstrapServers());
        } finally {
            System.setErr(stderr);
        }
        String err = captured.toString(StandardCharsets.UTF_8);
        assertThat(exit).isEqualTo(1);
        assertThat(err).startsWith("Not started: training topic generic.training does not exist on "
                + kafka.bootstrapServers()).contains("Hint: ").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(err.lines()).hasSize(2);
    }
}
