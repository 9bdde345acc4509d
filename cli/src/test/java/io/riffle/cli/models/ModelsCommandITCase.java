package io.riffle.cli.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.embedded.EmbeddedKafka;
import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.modelops.registry.ModelVersions;
import io.riffle.modelops.testing.TestModels;
import io.riffle.schemas.ModelVersion;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code models} commands against a real (embedded) broker (moved from model-ops' ModelRegistryITCase). */
class ModelsCommandITCase {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
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
    void publishCommandValidatesNumbersAndPublishes(@TempDir Path dir) throws Exception {
        String topic = "models-cli";
        kafka.createTopic(topic, 1, Map.of("cleanup.policy", "compact"));
        Path file = dir.resolve("fraud.onnx");
        Files.write(file, ModelVersions.onnxBytes(TestModels.binaryMlp("x", 1, 8, 3L)));
        String[] publish = {"publish", "--file", file.toString(), "--name", "fraud", "--task", "binary",
            "--features", "8", "--role", "shadow", "--topic", topic, "--bootstrap-servers", kafka.bootstrapServers()};

        StringWriter out = new StringWriter();
        assertThat(execute(out, new StringWriter(), publish)).isZero();
        assertThat(out.toString()).startsWith("published fraud v1 (sha256 ").contains(") to " + topic);
        out = new StringWriter();
        assertThat(execute(out, new StringWriter(), publish)).isZero();
        assertThat(out.toString()).startsWith("published fraud v2 ");

        StringWriter err = new StringWriter();
        String[] wrongWidth = publish.clone();
        wrongWidth[8] = "9";
        assertThat(execute(new StringWriter(), err, wrongWidth)).isEqualTo(1);
        assertThat(err.toString()).contains("not published: model fraud v3").contains("[batch, 8]");

        out = new StringWriter();
        assertThat(execute(out, new StringWriter(), "list", "--topic", topic, "--bootstrap-servers",
                kafka.bootstrapServers())).isZero();
        assertThat(out.toString().split("\n")).hasSize(3);
        assertThat(out.toString()).contains("shadow");
        try (ModelRegistry registry = new ModelRegistry(kafka.bootstrapServers(), topic)) {
            assertThat(registry.list(TIMEOUT)).extracting(ModelVersion::getVersion).containsExactly(1, 2);
        }
    }

    @Test
    void publishSignsWithTheKeyKeygenMade(@TempDir Path dir) throws Exception {
        String topic = "models-signed";
        kafka.createTopic(topic, 1, Map.of("cleanup.policy", "compact"));
        Path file = dir.resolve("fraud.onnx");
        Files.write(file, ModelVersions.onnxBytes(TestModels.binaryMlp("x", 1, 8, 3L)));
        assertThat(execute(new StringWriter(), new StringWriter(), "keygen", "--out", dir.resolve("riffle").toString()))
                .isZero();
        StringWriter out = new StringWriter();
        assertThat(execute(out, new StringWriter(), "publish", "--file", file.toString(), "--name", "fraud", "--task",
                "binary", "--features", "8", "--signing-key", dir.resolve("riffle.key").toString(), "--topic", topic,
                "--bootstrap-servers", kafka.bootstrapServers())).isZero();
        assertThat(out.toString()).contains("signed with " + dir.resolve("riffle.key"));
        try (ModelRegistry registry = new ModelRegistry(kafka.bootstrapServers(), topic)) {
            ModelVersion published = registry.list(TIMEOUT).get(0);
            assertThat(io.riffle.modelops.trust.ModelVerifier.fromFiles(java.util.List.of(dir.resolve("riffle.pub")))
                    .verify(published)).isEqualTo(io.riffle.modelops.trust.ModelVerifier.Verdict.VERIFIED);
        }
    }

    @Test
    void publishesAMulticlassModelWithItsLabelsAndOutputKind(@TempDir Path dir) throws Exception {
        String topic = "models-multiclass";
        kafka.createTopic(topic, 1, Map.of("cleanup.policy", "compact"));
        Path file = dir.resolve("recs.onnx");
        Files.write(file, ModelVersions.onnxBytes(TestModels.identityLogits("x", 1, 4)));
        Path labels = dir.resolve("labels.txt");
        Files.writeString(labels, "sku-10\nsku-11\nsku-12\nsku-13\n");
        String[] asProbabilities = {"publish", "--file", file.toString(), "--name", "recs", "--task", "multiclass",
            "--features", "4", "--labels", labels.toString(), "--topic", topic,
            "--bootstrap-servers", kafka.bootstrapServers()};
        // Logits published as probabilities: refused before anything is written, with the fix named.
        StringWriter err = new StringWriter();
        assertThat(execute(new StringWriter(), err, asProbabilities)).isEqualTo(1);
        assertThat(err.toString()).contains("not published: model recs v1").contains("--output-kind logits");

        String[] asLogits = java.util.Arrays.copyOf(asProbabilities, asProbabilities.length + 2);
        asLogits[asProbabilities.length] = "--output-kind";
        asLogits[asProbabilities.length + 1] = "logits";
        StringWriter out = new StringWriter();
        assertThat(execute(out, new StringWriter(), asLogits)).isZero();
        assertThat(out.toString()).startsWith("published recs v1 ");
        try (ModelRegistry registry = new ModelRegistry(kafka.bootstrapServers(), topic)) {
            ModelVersion published = registry.list(TIMEOUT).get(0);
            assertThat(published.getTask()).isEqualTo(io.riffle.schemas.ModelTask.MULTICLASS);
            assertThat(published.getClassLabels()).containsExactly("sku-10", "sku-11", "sku-12", "sku-13");
            assertThat(published.getOutputKind()).isEqualTo("logits");
        }
    }

    private static int execute(StringWriter out, StringWriter err, String... args) {
        CommandLine cl = new CommandLine(new ModelsCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }
}
