package io.riffle.modelops.spec;

import io.riffle.schemas.Topics;

import java.util.Map;
import java.util.Objects;

/**
 * The {@code kafka:} section: where the broker is, the topic names (defaults from {@link Topics}),
 * and client properties passed through verbatim to every producer, consumer and admin client
 * (security settings such as {@code security.protocol} or {@code sasl.jaas.config}).
 */
public record KafkaSpec(String bootstrapServers, TopicNames topics, Map<String, String> properties) {

    public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";

    public KafkaSpec {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topics, "topics");
        properties = Map.copyOf(properties);
    }

    /** Topic names; each defaults to the {@link Topics} constant of the same role. */
    public record TopicNames(String events, String features, String scores, String alerts, String labels,
                             String training, String models, String modelEvents, String deadLetters,
                             String recommendations) {

        public static TopicNames defaults() {
            return new TopicNames(Topics.EVENTS, Topics.FEATURES, Topics.SCORES, Topics.ALERTS, Topics.LABELS,
                    Topics.TRAINING, Topics.MODELS, Topics.MODEL_EVENTS, Topics.DEAD_LETTERS, Topics.RECOMMENDATIONS);
        }
    }
}
