package io.riffle.tests;

import io.riffle.cli.KafkaTopics;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.embedded.EmbeddedKafka;
import io.riffle.jobs.PipelineConfigs;
import io.riffle.jobs.PipelineScoringJob;
import io.riffle.jobs.ScoringOptions;
import io.riffle.jobs.testing.CommittedTopics;
import io.riffle.jobs.testing.StrictEnvironment;
import io.riffle.modelops.spec.FeatureSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.modelops.testing.TestModels;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.ModelEventKind;
import io.riffle.schemas.ModelScore;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import io.riffle.schemas.Topics;
import io.riffle.schemas.Transaction;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scoring job end to end on a real KRaft broker and a Flink MiniCluster with exactly-once
 * sinks: every event comes out once, as a score or as a dead letter, read with
 * {@code isolation.level=read_committed}; a model version published mid-stream is served to
 * every later event.
 */
class ScoringPipelineITCase {
    static final int PARALLELISM = 2;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(PARALLELISM).build());

    static EmbeddedKafka kafka;

    /** The demo's pipeline file: card payments, 46 features with per-card windows. */
    static PipelineSpec spec;
    static FeatureSpec features;

    @BeforeAll
    static void startKafka() throws Exception {
        spec = PipelineSpec.load(Path.of("../pipelines/demo.yaml"));
        features = spec.features();
        kafka = EmbeddedKafka.start();
        KafkaTopics.ensureFor(kafka.bootstrapServers(), PARALLELISM, KafkaSpec.TopicNames.defaults());
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    static ModelVersion model(ModelVersion mv) {
        return ModelVersion.newBuilder(mv).setFeatureSpecHash(features.hash()).build();
    }

    static Transaction transaction(int i) {
        return Transaction.newBuilder().setEventId("e-" + i).setCardId("card-" + (i % 17)).setMerchantId("m-" + (i % 5))
                .setAmount(5 + (i % 50) * 3.5).setCurrency("EUR").setCountry(i % 11 == 0 ? "BR" : "DE")
                .setChannel(i % 3 == 0 ? "ONLINE" : "POS").setMerchantCategory("grocery")
                .setEventTime(1_700_000_000_000L + i * 1000L).build();
    }

    @Test
    void everyEventIsScoredOrDeadLetteredOnceAndANewVersionServesEveryLaterEvent() throws Exception {
        String servers = kafka.bootstrapServers();
        try (ModelRegistry registry = new ModelRegistry(servers, Topics.MODELS)) {
            registry.publish(model(TestModels.binaryMlp("fraud", 1, features.count(), 1)));
            registry.publish(model(TestModels.anomaly("anomaly", 1, features.count())));
        }

        Configuration conf = PipelineConfigs.configuration(spec);
        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, servers);
        conf.set(ScoringOptions.PARALLELISM, PARALLELISM);
        conf.set(ScoringOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
        conf.set(ScoringOptions.BATCH_SIZE, 32);
        conf.set(ScoringOptions.REQUIRED_MODELS, "fraud,anomaly");
        conf.set(ScoringOptions.TRANSACTIONAL_ID_PREFIX, "it-scoring");
        StreamExecutionEnvironment env = StrictEnvironment.create();   // no Kryo anywhere, bounded restarts
        new PipelineScoringJob(spec, conf).build(env);
        JobClient job = env.executeAsync("it-scoring");
        try (Outputs outputs = new Outputs(servers);
             KafkaProducer<byte[], byte[]> producer = CommittedTopics.producer(servers)) {
            AvroSerde<Transaction> serde = AvroSerde.of(Transaction.class);
            Set<String> badKeys = new HashSet<>();

            // Phase 1: good events and some that cannot be scored.
            int phase1 = 400;
            for (int i = 0; i < phase1; i++) {
                Transaction t = transaction(i);
                byte[] value;
                if (i % 50 == 7) {
                    value = ("garbage " + i).getBytes(StandardCharsets.UTF_8);          // not Avro at all
                } else if (i % 50 == 19) {
                    byte[] good = serde.encode(t);
                    value = java.util.Arrays.copyOf(good, good.length - 6);             // truncated
                } else if (i % 50 == 31) {
                    t.setCardId("");                                                    // no entity
                    value = serde.encode(t);
                } else {
                    value = serde.encode(t);
                }
                if (i % 50 == 7 || i % 50 == 19 || i % 50 == 31) {
                    badKeys.add("bad-" + i);
                    producer.send(new ProducerRecord<>(Topics.EVENTS, ("bad-" + i).getBytes(StandardCharsets.UTF_8), value));
                } else {
                    producer.send(new ProducerRecord<>(Topics.EVENTS, t.getCardId().getBytes(StandardCharsets.UTF_8), value));
                }
            }
            producer.flush();
            outputs.awaitUntil(() -> outputs.scores.size() + outputs.deadLetters.size() >= phase1, Duration.ofMinutes(2));

            // A second version of the classifier, published while the job runs.
            try (ModelRegistry registry = new ModelRegistry(servers, Topics.MODELS)) {
                registry.publish(model(TestModels.binaryMlp("fraud", 2, features.count(), 2)));
            }
            outputs.awaitUntil(() -> outputs.loaded("fraud", 2) == PARALLELISM, Duration.ofMinutes(1));

            int phase2 = 400;
            for (int i = phase1; i < phase1 + phase2; i++) {
                Transaction t = transaction(i);
                producer.send(new ProducerRecord<>(Topics.EVENTS, t.getCardId().getBytes(StandardCharsets.UTF_8),
                        serde.encode(t)));
            }
            producer.flush();
            int total = phase1 + phase2;
            outputs.awaitUntil(() -> outputs.scores.size() + outputs.deadLetters.size() >= total, Duration.ofMinutes(2));
            // Anything extra (a duplicate) would have arrived with the same checkpoint; poll a little longer.
            outputs.pollFor(Duration.ofSeconds(2));

            int bad = badKeys.size();
            assertThat(outputs.deadLetters).hasSize(bad);
            assertThat(outputs.scores).hasSize(total - bad);
            Set<String> scoredIds = new HashSet<>();
            for (Score s : outputs.scores) {
                assertThat(scoredIds.add(s.getEventId())).as("scored once: %s", s.getEventId()).isTrue();
            }
            for (int i = 0; i < total; i++) {
                boolean isBad = i < phase1 && (i % 50 == 7 || i % 50 == 19 || i % 50 == 31);
                assertThat(scoredIds.contains("e-" + i)).as("e-%d scored", i).isEqualTo(!isBad);
            }
            for (DeadLetter d : outputs.deadLetters) {
                assertThat(d.getSourceTopic()).isEqualTo(Topics.EVENTS);
                assertThat(d.getOffset()).isGreaterThanOrEqualTo(0);
                assertThat(badKeys).contains(StandardCharsets.UTF_8.decode(d.getKey()).toString());
                assertThat(d.getErrorMessage()).containsAnyOf("Transaction", "cardId");
            }
            for (Score s : outputs.scores) {
                int index = Integer.parseInt(s.getEventId().substring(2));
                Map<String, Integer> versions = new HashMap<>();
                for (ModelScore ms : s.getModels()) {
                    versions.put(ms.getName(), ms.getVersion());
                    assertThat(ms.getValue()).isBetween(0f, 1f);
                }
                assertThat(versions).containsEntry("anomaly", 1);
                assertThat(versions).containsEntry("fraud", index < phase1 ? 1 : 2);
            }
        } finally {
            job.cancel().get();
        }
    }

    /** Reads the job's output topics as a read_committed consumer. */
    static final class Outputs implements AutoCloseable {
        final CommittedTopics topics;
        final List<Score> scores = new ArrayList<>();
        final List<DeadLetter> deadLetters = new ArrayList<>();
        final List<ModelEvent> modelEvents = new ArrayList<>();
        final AvroSerde<Score> scoreSerde = AvroSerde.of(Score.class);
        final AvroSerde<DeadLetter> deadSerde = AvroSerde.of(DeadLetter.class);
        final AvroSerde<ModelEvent> eventSerde = AvroSerde.of(ModelEvent.class);

        Outputs(String servers) {
            topics = new CommittedTopics(servers, List.of(Topics.SCORES, Topics.DEAD_LETTERS, Topics.MODEL_EVENTS),
                    this::accept);
        }

        void accept(ConsumerRecord<byte[], byte[]> r) {
            switch (r.topic()) {
                case Topics.SCORES -> scores.add(scoreSerde.decode(r.value()));
                case Topics.DEAD_LETTERS -> deadLetters.add(deadSerde.decode(r.value()));
                default -> modelEvents.add(eventSerde.decode(r.value()));
            }
        }

        void awaitUntil(BooleanSupplier condition, Duration limit) {
            topics.awaitUntil(condition, limit);
        }

        void pollFor(Duration d) {
            topics.pollFor(d);
        }

        long loaded(String name, int version) {
            return modelEvents.stream().filter(e -> e.getKind() == ModelEventKind.LOADED
                    && e.getModelName().equals(name) && e.getVersion() == version).count();
        }

        @Override
        public void close() {
            topics.close();
        }
    }
}
