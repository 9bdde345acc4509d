package io.riffle.modelops.cli;

import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.schemas.Topics;
import picocli.CommandLine.Option;

import java.time.Duration;

/** Where the models topic is: the options every {@code riffle models} command shares. */
public final class RegistryOptions {

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = Topics.MODELS,
            description = "Models topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", defaultValue = "localhost:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT30S",
            description = "How long to wait for Kafka when reading the topic (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    ModelRegistry open() {
        return new ModelRegistry(bootstrapServers, topic);
    }
}
