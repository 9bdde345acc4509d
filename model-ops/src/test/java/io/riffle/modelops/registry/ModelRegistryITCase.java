package io.riffle.modelops.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.embedded.EmbeddedKafka;
import io.riffle.modelops.testing.TestModels;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelVersion;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The registry against a real (embedded) broker (the {@code models} commands: cli's ModelsCommandITCase). */
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
}
