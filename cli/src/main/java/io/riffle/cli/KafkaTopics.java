package io.riffle.cli;

import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.modelops.spec.KafkaSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Creates Riffle's topics on a Kafka cluster when they are missing. */
public final class KafkaTopics {
    private KafkaTopics() {}

    /**
     * The topics a pipeline file names ({@link KafkaSpec.TopicNames#defaults()} for the default ones); the
     * models topic is compacted and takes messages as large as a model.
     */
    public static void ensureFor(String bootstrapServers, int partitions, KafkaSpec.TopicNames names) {
        ensureFor(bootstrapServers, Map.of(), partitions, names);
    }

    /**
     * The topics a pipeline file names, created by an Admin client with the file's Kafka
     * {@code properties} (a secured cluster needs them for this client as for every other).
     */
    public static void ensureFor(String bootstrapServers, Map<String, String> clientProperties, int partitions,
                                 KafkaSpec.TopicNames names) {
        ensureFor(bootstrapServers, clientProperties, partitions, names, true);
    }

    /**
     * As above; without the labels topic when {@code labelsTopic} is false (a pipeline whose labels
     * come from the next event reads none, and an unused topic would only mislead).
     */
    public static void ensureFor(String bootstrapServers, Map<String, String> clientProperties, int partitions,
                                 KafkaSpec.TopicNames names, boolean labelsTopic) {
        Map<String, String> models = Map.of("cleanup.policy", "compact",
                "max.message.bytes", String.valueOf(ModelRegistry.MAX_MESSAGE_BYTES));
        List<NewTopic> topics = new ArrayList<>();
        for (String name : List.of(names.events(), names.labels(), names.features(), names.training(), names.scores(),
                names.alerts(), names.recommendations())) {
            if (labelsTopic || !name.equals(names.labels())) {
                topics.add(new NewTopic(name, partitions, (short) 1));
            }
        }
        topics.add(new NewTopic(names.deadLetters(), 1, (short) 1));
        topics.add(new NewTopic(names.modelEvents(), 1, (short) 1));
        topics.add(new NewTopic(names.models(), 1, (short) 1).configs(models));
        ensure(bootstrapServers, clientProperties, topics);
    }

    public static void ensure(String bootstrapServers, List<NewTopic> topics) {
        ensure(bootstrapServers, Map.of(), topics);
    }

    /**
     * The broker's {@code transaction.max.timeout.ms}, or null when it cannot be read (an ACL may
     * forbid describing the broker's configuration): a transaction timeout above it makes every
     * exactly-once sink fail at start.
     */
    public static Duration transactionMaxTimeout(String bootstrapServers, Map<String, String> clientProperties) {
        try (Admin admin = Admin.create(adminProperties(bootstrapServers, clientProperties))) {
            var nodes = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
            if (nodes.isEmpty()) {
                return null;
            }
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER,
                    String.valueOf(nodes.iterator().next().id()));
            ConfigEntry entry = admin.describeConfigs(List.of(broker)).all().get(30, TimeUnit.SECONDS).get(broker)
                    .get("transaction.max.timeout.ms");
            return entry == null || entry.value() == null ? null : Duration.ofMillis(Long.parseLong(entry.value()));
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static Properties adminProperties(String bootstrapServers, Map<String, String> clientProperties) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        return props;
    }

    public static void ensure(String bootstrapServers, Map<String, String> clientProperties, List<NewTopic> topics) {
        Properties props = adminProperties(bootstrapServers, clientProperties);
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
