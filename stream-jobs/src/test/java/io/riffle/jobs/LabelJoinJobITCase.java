package io.riffle.jobs;

import io.riffle.jobs.testing.CommittedTopics;
import io.riffle.jobs.testing.StrictEnvironment;
import io.riffle.embedded.EmbeddedKafka;
import io.riffle.jobs.operators.LabelJoiner;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.Label;
import io.riffle.schemas.Topics;
import io.riffle.schemas.TrainingExample;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The label-join job on a real KRaft broker and a Flink MiniCluster with exactly-once sinks, read
 * with {@code isolation.level=read_committed}: labels before and after their vector, duplicates,
 * labels for unknown events and corrupt records. Every label record ends as a training example
 * or a dead letter, and the latest example per event carries the latest label.
 */
class LabelJoinJobITCase {
    static final int PARALLELISM = 2;
    static final int VECTORS = 200;
    static final int EARLY = 40;                       // labels of e-0..e-39 are sent before the vectors
    static final long BASE_TIME = 1_700_000_000_000L;
    static final Duration WAIT_FOR_FEATURES = Duration.ofSeconds(10);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(PARALLELISM).build());

    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
        for (String topic : List.of(Topics.FEATURES, Topics.LABELS, Topics.TRAINING, Topics.DEAD_LETTERS)) {
            kafka.createTopic(topic, PARALLELISM, Map.of());
        }
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    static boolean labeled(int i) {
        return i % 10 != 9;
    }

    static boolean duplicated(int i) {
        return i % 25 == 3;
    }

    static int firstLabel(int i) {
        return i % 7 == 0 ? 1 : 0;
    }

    static FeatureVector vector(int i) {
        return new FeatureVector("e-" + i, "card-" + (i % 13), BASE_TIME + i * 1000L, BASE_TIME + i * 1000L + 5,
                "spec-it", List.of((float) i, i * 0.5f, -1f), null);
    }

    static Label label(int i, int value, long delay) {
        return new Label("e-" + i, value, BASE_TIME + i * 1000L + delay, null);
    }

    @Test
    void joinsLabelsExactlyOnceAndDeadLettersTheRest() throws Exception {
        String servers = kafka.bootstrapServers();
        Configuration conf = new Configuration();
        conf.set(LabelJoinOptions.BOOTSTRAP_SERVERS, servers);
        conf.set(LabelJoinOptions.PARALLELISM, PARALLELISM);
        conf.set(LabelJoinOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
        conf.set(LabelJoinOptions.WAIT_FOR_FEATURES, WAIT_FOR_FEATURES);
        conf.set(LabelJoinOptions.TRANSACTIONAL_ID_PREFIX, "it-label-join-" + UUID.randomUUID());
        StreamExecutionEnvironment env = StrictEnvironment.create();   // no Kryo anywhere, bounded restarts
        new LabelJoinJob(conf).build(env);
        JobClient job = env.executeAsync("it-label-join");
        try (Outputs outputs = new Outputs(servers);
             KafkaProducer<byte[], byte[]> producer = CommittedTopics.producer(servers)) {
            AvroSerde<Label> labels = AvroSerde.of(Label.class);
            AvroSerde<FeatureVector> vectors = AvroSerde.of(FeatureVector.class);
            int labelRecords = 0;

            // Phase 1: labels that come before their vector, labels for events that never come,
            // and corrupt label records last on both partitions.
            for (int i = 0; i < EARLY; i++) {
                if (labeled(i)) {
                    send(producer, Topics.LABELS, "e-" + i, labels.encode(label(i, firstLabel(i), 60_000)));
                    labelRecords++;
                }
            }
            List<String> unknown = List.of("u-0", "u-1", "u-2", "u-3", "u-4");
            for (String id : unknown) {
                send(producer, Topics.LABELS, id, labels.encode(new Label(id, 1, BASE_TIME, null)));
                labelRecords++;
            }
            byte[] good = labels.encode(label(1, 1, 0));
            producer.send(new ProducerRecord<>(Topics.LABELS, 0, utf8("bad-0"), utf8("not a label")));
            producer.send(new ProducerRecord<>(Topics.LABELS, 1, utf8("bad-1"), Arrays.copyOf(good, good.length - 4)));
            producer.send(new ProducerRecord<>(Topics.LABELS, 0, utf8("bad-2"), labels.encode(new Label("", 1, BASE_TIME, null))));
            labelRecords += 3;
            producer.flush();
            // Committed dead letters of the last records mean every earlier label is waiting in the join.
            outputs.awaitUntil(() -> outputs.deadLetters.size() >= 3, Duration.ofMinutes(2));
            assertThat(outputs.examples).isEmpty();

            // Phase 2: the vectors, and one that cannot be decoded.
            for (int i = 0; i < VECTORS; i++) {
                send(producer, Topics.FEATURES, "e-" + i, vectors.encode(vector(i)));
            }
            send(producer, Topics.FEATURES, "bad-vector", utf8("garbage"));
            producer.flush();

            // Phase 3: the labels of the remaining events (one in ten stays unlabeled).
            for (int i = EARLY; i < VECTORS; i++) {
                if (labeled(i)) {
                    send(producer, Topics.LABELS, "e-" + i, labels.encode(label(i, firstLabel(i), 60_000)));
                    labelRecords++;
                }
            }
            producer.flush();
            int labeledEvents = (int) IntStream.range(0, VECTORS).filter(LabelJoinJobITCase::labeled).count();
            int expectedDeadLetters = unknown.size() + 3 + 1;
            outputs.awaitUntil(() -> outputs.examples.size() >= labeledEvents
                    && outputs.deadLetters.size() >= expectedDeadLetters, Duration.ofMinutes(2));

            // Phase 4: corrections of already-joined events; latest wins.
            List<Integer> corrected = IntStream.range(0, VECTORS).filter(i -> labeled(i) && duplicated(i)).boxed().toList();
            for (int i : corrected) {
                send(producer, Topics.LABELS, "e-" + i, labels.encode(label(i, 1 - firstLabel(i), 120_000)));
                labelRecords++;
            }
            producer.flush();
            outputs.awaitUntil(() -> outputs.examples.size() >= labeledEvents + corrected.size(), Duration.ofMinutes(2));
            // Anything extra (a duplicate) would come with a later checkpoint: poll a little longer.
            outputs.pollFor(Duration.ofSeconds(3));

            assertThat(outputs.examples).hasSize(labeledEvents + corrected.size());
            assertThat(outputs.deadLetters).hasSize(expectedDeadLetters);
            long labelDeadLetters = outputs.deadLetters.stream()
                    .filter(d -> d.getSourceTopic().equals(Topics.LABELS)).count();
            assertThat(outputs.examples.size() + labelDeadLetters).as("every label record accounted for")
                    .isEqualTo(labelRecords);

            Map<String, TrainingExample> latest = new HashMap<>();
            outputs.examples.forEach(e -> latest.put(e.getEventId(), e));   // topic order per key = join order
            assertThat(latest.keySet()).isEqualTo(IntStream.range(0, VECTORS).filter(LabelJoinJobITCase::labeled)
                    .mapToObj(i -> "e-" + i).collect(Collectors.toSet()));
            for (int i = 0; i < VECTORS; i++) {
                if (!labeled(i)) {
                    continue;
                }
                TrainingExample e = latest.get("e-" + i);
                FeatureVector v = vector(i);
                int expected = duplicated(i) ? 1 - firstLabel(i) : firstLabel(i);
                assertThat(e.getLabel()).as("label of e-%d", i).isEqualTo(expected);
                assertThat(e.getLabelTime()).isEqualTo(label(i, 0, duplicated(i) ? 120_000 : 60_000).getLabelTime());
                assertThat(e.getValues()).isEqualTo(v.getValues());
                assertThat(e.getEntityId()).isEqualTo(v.getEntityId());
                assertThat(e.getEventTime()).isEqualTo(v.getEventTime());
                assertThat(e.getSpecHash()).isEqualTo("spec-it");
            }
            Map<String, Long> perEvent = outputs.examples.stream()
                    .collect(Collectors.groupingBy(TrainingExample::getEventId, Collectors.counting()));
            perEvent.forEach((id, n) -> assertThat(n).as("examples of %s", id)
                    .isEqualTo(duplicated(Integer.parseInt(id.substring(2))) ? 2L : 1L));

            List<DeadLetter> unmatched = outputs.deadLetters.stream()
                    .filter(d -> d.getErrorClass().equals(LabelJoiner.UNMATCHED_LABEL)).toList();
            assertThat(unmatched).extracting(d -> StandardCharsets.UTF_8.decode(d.getKey()).toString())
                    .containsExactlyInAnyOrderElementsOf(unknown);
            assertThat(unmatched).allSatisfy(d -> {
                assertThat(d.getSourceTopic()).isEqualTo(Topics.LABELS);
                assertThat(d.getErrorMessage()).startsWith("label for unknown or expired event u-");
                assertThat(d.getOffset()).isGreaterThanOrEqualTo(0);
            });
            Set<String> badKeys = outputs.deadLetters.stream()
                    .filter(d -> !d.getErrorClass().equals(LabelJoiner.UNMATCHED_LABEL))
                    .map(d -> StandardCharsets.UTF_8.decode(d.getKey()).toString()).collect(Collectors.toSet());
            assertThat(badKeys).containsExactlyInAnyOrder("bad-0", "bad-1", "bad-2", "bad-vector");
            assertThat(outputs.deadLetters).filteredOn(d -> d.getSourceTopic().equals(Topics.FEATURES))
                    .singleElement().satisfies(d -> assertThat(d.getErrorMessage()).contains("FeatureVector"));
            assertThat(outputs.deadLetters).filteredOn(d -> d.getSourceTopic().equals(Topics.LABELS)
                            && !d.getErrorClass().equals(LabelJoiner.UNMATCHED_LABEL))
                    .hasSize(3).allSatisfy(d -> assertThat(d.getErrorMessage()).contains("Label"));
        } finally {
            job.cancel().get();
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, utf8(key), value));
    }

    /** Reads the job's output topics as a read_committed consumer. */
    static final class Outputs implements AutoCloseable {
        final CommittedTopics topics;
        final List<TrainingExample> examples = new ArrayList<>();
        final List<DeadLetter> deadLetters = new ArrayList<>();
        final AvroSerde<TrainingExample> exampleSerde = AvroSerde.of(TrainingExample.class);
        final AvroSerde<DeadLetter> deadSerde = AvroSerde.of(DeadLetter.class);

        Outputs(String servers) {
            topics = new CommittedTopics(servers, List.of(Topics.TRAINING, Topics.DEAD_LETTERS), this::accept);
        }

        void accept(ConsumerRecord<byte[], byte[]> r) {
                if (r.topic().equals(Topics.TRAINING)) {
                    TrainingExample e = exampleSerde.decode(r.value());
                    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(e.getEventId());
                    assertThat(r.timestamp()).as("record timestamp = label time").isEqualTo(e.getLabelTime());
                    examples.add(e);
                } else {
                    deadLetters.add(deadSerde.decode(r.value()));
                }
        }

        void awaitUntil(BooleanSupplier condition, Duration limit) {
            topics.awaitUntil(condition, limit);
        }

        void pollFor(Duration d) {
            topics.pollFor(d);
        }

        @Override
        public void close() {
            topics.close();
        }
    }
}
