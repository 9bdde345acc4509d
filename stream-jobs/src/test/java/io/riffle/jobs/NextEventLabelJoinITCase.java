package io.riffle.jobs;

import io.riffle.embedded.EmbeddedKafka;
import io.riffle.jobs.testing.CommittedTopics;
import io.riffle.jobs.testing.StrictEnvironment;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.FeatureVector;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The label-join job with labels from the next event, on a real KRaft broker and a Flink
 * MiniCluster with exactly-once sinks: only the features topic is read, each entity's vectors
 * are labelled by its next event within 30 s (sent slightly out of order, within the watermark's
 * bound), the last event of each session and the events without a value get no label, and
 * labelled + unlabelled = vectors sent.
 */
class NextEventLabelJoinITCase {
    static final int PARALLELISM = 2;
    static final int ENTITIES = 20;
    static final int FIRST_SESSION = 10;
    static final int SECOND_SESSION = 5;
    static final long BASE_TIME = 1_700_000_000_000L;
    static final long STEP = 1_000;                      // events of a session are 1 s apart
    static final long SESSION_GAP = 100_000;             // > within: sessions do not label each other
    static final Duration WITHIN = Duration.ofSeconds(30);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(PARALLELISM).build());

    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
        for (String topic : List.of(Topics.FEATURES, Topics.TRAINING, Topics.DEAD_LETTERS)) {
            kafka.createTopic(topic, PARALLELISM, Map.of());
        }
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Entities 0, 5, 10 and 15 have an event without a value (the 5th of the first session). */
    static boolean withoutValue(int entity, int session, int j) {
        return entity % 5 == 0 && session == 1 && j == 4;
    }

    static FeatureVector vector(int entity, int session, int j) {
        long time = BASE_TIME + entity * 7L + (session == 1 ? 0 : FIRST_SESSION * STEP + SESSION_GAP) + j * STEP;
        String item = withoutValue(entity, session, j) ? null : "item-" + ((entity * 31 + session * 7 + j) % 50);
        return new FeatureVector("u" + entity + "-s" + session + "-" + j, "user-" + entity, time, time + 3,
                "spec-next", List.of((float) entity, (float) j), item);
    }

    /**
     * Every vector in sending order, roughly by event time across entities (each partition's
     * watermark trails its own newest event by the 2 s bound), with each session's adjacent steps
     * swapped: step 1 of every entity before step 0, 3 before 2, ... (1 s apart, within the bound).
     */
    static List<FeatureVector> sendingOrder() {
        List<FeatureVector> out = new ArrayList<>();
        for (int s = 1; s <= 2; s++) {
            int length = s == 1 ? FIRST_SESSION : SECOND_SESSION;
            for (int pair = 0; 2 * pair < length; pair++) {
                for (int j : new int[] {2 * pair + 1, 2 * pair}) {
                    if (j < length) {
                        for (int e = 0; e < ENTITIES; e++) {
                            out.add(vector(e, s, j));
                        }
                    }
                }
            }
        }
        return out;
    }

    /** By hand: within a session every event with a value is labelled by the next one with a value. */
    static Map<String, FeatureVector> expectedNext() {
        Map<String, FeatureVector> next = new HashMap<>();
        for (int e = 0; e < ENTITIES; e++) {
            for (int s = 1; s <= 2; s++) {
                int length = s == 1 ? FIRST_SESSION : SECOND_SESSION;
                FeatureVector previous = null;
                for (int j = 0; j < length; j++) {
                    if (withoutValue(e, s, j)) {
                        continue;
                    }
                    FeatureVector v = vector(e, s, j);
                    if (previous != null) {
                        next.put(previous.getEventId(), v);
                    }
                    previous = v;
                }
            }
        }
        return next;
    }

    @Test
    void labelsEachVectorWithItsEntitysNextEvent() throws Exception {
        String servers = kafka.bootstrapServers();
        Configuration conf = new Configuration();
        conf.set(LabelJoinOptions.BOOTSTRAP_SERVERS, servers);
        conf.set(LabelJoinOptions.PARALLELISM, PARALLELISM);
        conf.set(LabelJoinOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
        conf.set(LabelJoinOptions.FROM_NEXT_EVENT, true);
        conf.set(LabelJoinOptions.NEXT_EVENT_WITHIN, WITHIN);
        conf.set(LabelJoinOptions.OUT_OF_ORDERNESS, Duration.ofSeconds(2));
        conf.set(LabelJoinOptions.TRANSACTIONAL_ID_PREFIX, "it-next-event-" + UUID.randomUUID());
        StreamExecutionEnvironment env = StrictEnvironment.create();
        new LabelJoinJob(conf).build(env);
        JobClient job = env.executeAsync("it-next-event-label-join");
        try (Outputs outputs = new Outputs(servers);
             KafkaProducer<byte[], byte[]> producer = CommittedTopics.producer(servers)) {
            AvroSerde<FeatureVector> vectors = AvroSerde.of(FeatureVector.class);
            int sent = 0;
            for (FeatureVector v : sendingOrder()) {
                send(producer, v.getEventId(), vectors.encode(v));
                sent++;
            }
            producer.send(new ProducerRecord<>(Topics.FEATURES, 0, utf8("bad-vector"), utf8("not a vector")));
            // One far-later vector on each partition moves the watermark past every deadline;
            // these two themselves stay waiting (no next event) and are not counted below.
            long later = BASE_TIME + 3_600_000;
            for (int p = 0; p < PARALLELISM; p++) {
                FeatureVector flush = new FeatureVector("flush-" + p, "flush-" + p, later, later, "spec-next",
                        List.of(0f, 0f), "none");
                producer.send(new ProducerRecord<>(Topics.FEATURES, p, utf8(flush.getEventId()), vectors.encode(flush)));
            }
            producer.flush();

            Map<String, FeatureVector> next = expectedNext();
            int vectorsSent = sent;
            assertThat(vectorsSent).isEqualTo(ENTITIES * (FIRST_SESSION + SECOND_SESSION));
            // By construction: per entity, 2 session ends; entities 0, 5, 10, 15 one event without a value.
            int unlabelled = ENTITIES * 2 + ENTITIES / 5;
            assertThat(next).hasSize(vectorsSent - unlabelled);

            outputs.awaitUntil(() -> outputs.examples.size() >= next.size() && !outputs.deadLetters.isEmpty(),
                    Duration.ofMinutes(2));
            outputs.pollFor(Duration.ofSeconds(3));   // anything extra would come with a later checkpoint

            assertThat(outputs.examples).hasSize(next.size());
            assertThat(outputs.examples.size() + unlabelled).as("labelled + unlabelled = vectors").isEqualTo(vectorsSent);
            Map<String, TrainingExample> byId = new HashMap<>();
            outputs.examples.forEach(e -> byId.put(e.getEventId(), e));
            assertThat(byId.keySet()).isEqualTo(next.keySet());
            next.forEach((id, n) -> {
                TrainingExample e = byId.get(id);
                assertThat(e.getLabel()).isEqualTo(-1);
                assertThat(e.getLabelClass()).as("label class of %s", id).isEqualTo(n.getLabelValue());
                assertThat(e.getLabelTime()).as("label time of %s", id).isEqualTo(n.getEventTime());
                assertThat(e.getEntityId()).isEqualTo(n.getEntityId());
                assertThat(e.getSpecHash()).isEqualTo("spec-next");
            });
            assertThat(outputs.deadLetters).singleElement().satisfies(d -> {
                assertThat(d.getSourceTopic()).isEqualTo(Topics.FEATURES);
                assertThat(d.getErrorMessage()).contains("FeatureVector");
            });
        } finally {
            job.cancel().get();
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void send(KafkaProducer<byte[], byte[]> producer, String key, byte[] value) {
        producer.send(new ProducerRecord<>(Topics.FEATURES, utf8(key), value));
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
                assertThat(r.timestamp()).as("record timestamp = label time").isEqualTo(e.getLabelTime());
                examples.add(e);
            } else {
                deadLetters.add(deadSerde.decode(r.value()));
            }
        }

        void awaitUntil(java.util.function.BooleanSupplier condition, Duration limit) {
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
