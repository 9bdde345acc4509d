package io.riffle.cli;

import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.schemas.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Creates Riffle's topics on a Kafka cluster when they are missing. */
public final class KafkaTopics {
    private KafkaTopics() {}

    /** The default topics; the models topic is compacted and takes messages as large as a model. */
    public static void ensureDefaults(String bootstrapServers, int partitions) {
        Map<String, String> plain = Map.of();
        Map<String, String> models = Map.of("cleanup.policy", "compact",
                "max.message.bytes", String.valueOf(ModelRegistry.MAX_MESSAGE_BYTES));
        List<NewTopic> topics = new ArrayList<>();
        topics.add(new NewTopic(Topics.EVENTS, partitions, (short) 1).configs(plain));
        topics.add(new NewTopic(Topics.LABELS, partitions, (short) 1).configs(plain));
        topics.add(new NewTopic(Topics.FEATURES, partitions, (short) 1).configs(plain));
        topics.add(new NewTopic(Topics.TRAINING, partitions, (short) 1).configs(plain));
        topics.add(new NewTopic(Topics.SCORES, partitions, (short) 1).configs(plain));
        topics.add(new NewTopic(Topics.ALERTS, partitions, (short) 1).configs(plain));
        topics.add(new NewTopic(Topics.DEAD_LETTERS, 1, (short) 1).configs(plain));
        topics.add(new NewTopic(Topics.MODEL_EVENTS, 1, (short) 1).configs(plain));
        topics.add(new NewTopic(Topics.MODELS, 1, (short) 1).configs(models));
        ensure(bootstrapServers, topics);
    }

    /** The topics a pipeline file names (same settings as {@link #ensureDefaults}). */
    public static void ensureFor(String bootstrapServers, int partitions, KafkaSpec.TopicNames names) {
        Map<String, String> models = Map.of("cleanup.policy", "compact",
                "max.message.bytes", String.valueOf(ModelRegistry.MAX_MESSAGE_BYTES));
        List<NewTopic> topics = new ArrayList<>();
        for (String name : List.of(names.events(), names.labels(), names.features(), names.training(), names.scores(),
                names.alerts())) {
            topics.add(new NewTopic(name, partitions, (short) 1));
        }
        topics.add(new NewTopic(names.deadLetters(), 1, (short) 1));
        topics.add(new NewTopic(names.modelEvents(), 1, (short) 1));
        topics.add(new NewTopic(names.models(), 1, (short) 1).configs(models));
        ensure(bootstrapServers, topics);
    }

    public static void ensure(String bootstrapServers, List<NewTopic> topics) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        try (Admin admin = Admin.create(props)) {
            for (NewTopic topic : topics) {
                try {
                    admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + topic.name() + " on " + bootstrapServers
                                + ": " + e.getCause().getMessage() + " (is Kafka reachable there?)", e.getCause());
                    }
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer within 30 s;"
                            + " check --bootstrap-servers", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while creating topics", e);
                }
            }
        }
    }
}
