package io.riffle.cli.models;

import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.schemas.Topics;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

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

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "A Kafka client property (security.protocol, sasl.*, ...); repeatable. With --config, the file's "
                    + "properties apply first.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    ModelRegistry open() {
        return open(Map.of());
    }

    /** The registry, its Kafka clients configured with {@code fileProperties} and then the command line's. */
    ModelRegistry open(Map<String, String> fileProperties) {
        Map<String, String> properties = new LinkedHashMap<>(fileProperties);
        properties.putAll(kafkaProperties);
        return new ModelRegistry(bootstrapServers, topic, properties);
    }
}
