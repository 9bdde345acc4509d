package io.riffle.modelops.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.embedded.EmbeddedKafka;
import io.riffle.modelops.cli.ModelsCommand;
import io.riffle.modelops.testing.TestModels;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelVersion;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The registry and the {@code models} commands against a real (embedded) broker. */
class ModelRegistryITCase {

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
    void publishesAndListsVersionsInOrder() {
        String topic = "models-roundtrip";
        kafka.createTopic(topic, 1, Map.of("cleanup.policy", "compact"));
        try (ModelRegistry registry = new ModelRegistry(kafka.bootstrapServers(), topic)) {
            assertThat(registry.list(TIMEOUT)).isEmpty();
            assertThat(registry.nextVersion("fraud", TIMEOUT)).isEqualTo(1);
            ModelVersion v1 = TestModels.binaryMlp("fraud", 1, 8, 1L);
            ModelVersion other = TestModels.anomaly("odd", 1, 8);
            ModelVersion v2 = ModelVersion.newBuilder(TestModels.binaryMlp("fraud", 2, 8, 2L))
                    .setRole(ModelRole.SHADOW).build();
            registry.publish(v1);
            registry.publish(other);
            registry.publish(v2);
            List<ModelVersion> all = registry.list(TIMEOUT);
            assertThat(all).containsExactly(v1, other, v2);
            assertThat(registry.nextVersion("fraud", TIMEOUT)).isEqualTo(3);
            assertThat(registry.nextVersion("odd", TIMEOUT)).isEqualTo(2);
            assertThat(registry.nextVersion("new", TIMEOUT)).isEqualTo(1);
        }
    }

    @Test
    void missingTopicListsAsAnErrorButNumbersFromOne() {
        try (ModelRegistry registry = new ModelRegistry(kafka.bootstrapServers(), "no-such-topic")) {
            assertThat(registry.nextVersion("fraud", TIMEOUT)).isEqualTo(1);
            assertThatThrownBy(() -> registry.list(TIMEOUT))
                    .isInstanceOf(ModelRegistryException.class)
                    .hasMessageContaining("topic no-such-topic does not exist");
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

    private static int execute(StringWriter out, StringWriter err, String... args) {
        CommandLine cl = new CommandLine(new ModelsCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }
}
