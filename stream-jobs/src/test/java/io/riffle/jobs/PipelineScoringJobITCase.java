package io.riffle.jobs;

import io.riffle.embedded.EmbeddedKafka;
import io.riffle.jobs.testing.CommittedTopics;
import io.riffle.jobs.testing.StrictEnvironment;
import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.testing.TestModels;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.ModelEventKind;
import io.riffle.schemas.ModelScore;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pipeline file with a non-demo schema ({@code pipelines/generic-30.yaml}: JSON events with 30
 * numeric fields, per-device windows) run by {@link PipelineScoringJob} on a real KRaft broker and
 * a Flink MiniCluster with exactly-once sinks and Kryo disabled, read with read_committed: every
 * event becomes one score or one dead letter, and a model trained for another feature spec is
 * rejected, naming both hashes, while the scores keep the serving version.
 */
class PipelineScoringJobITCase {
    static final int PARALLELISM = 2;
    static final long BASE_TIME = 1_700_000_000_000L;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(PARALLELISM).build());

    static EmbeddedKafka kafka;
    static PipelineSpec spec;
    static KafkaSpec.TopicNames topics;

    @BeforeAll
    static void start() throws Exception {
        spec = PipelineSpec.load(Path.of("../pipelines/generic-30.yaml"));
        topics = spec.kafka().topics();
        kafka = EmbeddedKafka.start();
        for (String topic : List.of(topics.events(), topics.features(), topics.scores(), topics.alerts(),
                topics.modelEvents(), topics.deadLetters())) {
            kafka.createTopic(topic, PARALLELISM, Map.of());
        }
        kafka.createTopic(topics.models(), 1, Map.of("cleanup.policy", "compact"));
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    static String json(int i) {
        StringBuilder s = new StringBuilder();
        s.append("{\"eventId\":\"e-").append(i).append("\",\"deviceId\":\"dev-").append(i % 7)
                .append("\",\"eventTime\":").append(BASE_TIME + i * 1000L);
        for (int f = 0; f < 30; f++) {
            s.append(String.format(Locale.ROOT, ",\"x%02d\":%.3f", f, Math.sin(i * 0.37 + f) * (f + 1)));
        }
        if (i % 3 != 0) {
            s.append(",\"region\":\"").append(List.of("north", "south", "east", "west").get(i % 4)).append('"');
        }
        return s.append('}').toString();
    }

    /** Corrupt records of each kind the job must dead-letter: undecodable, missing key, wrong type, NaN feature. */
    static String bad(int i) {
        return switch (i % 4) {
            case 0 -> "{not json " + i;
            case 1 -> json(i).replace("\"deviceId\":\"dev-" + (i % 7) + "\",", "");
            case 2 -> json(i).replaceFirst("\"x04\":[-0-9.]+", "\"x04\":\"four\"");
            default -> json(i).replaceFirst("\"x09\":[-0-9.]+", "\"x09\":\"NaN\"");    // fails in the featurizer
        };
    }

    static ModelVersion model(int version, String specHash) {
        return ModelVersion.newBuilder(TestModels.binaryMlp(spec.models().get(0).name(), version,
                spec.features().count(), version)).setFeatureSpecHash(specHash).build();
    }

    @Test
    void scoresEveryJsonEventOrDeadLettersItAndRejectsAModelOfAnotherSpec() throws Exception {
        String servers = kafka.bootstrapServers();
        String modelName = spec.models().get(0).name();
        try (ModelRegistry registry = new ModelRegistry(servers, topics.models())) {
            registry.publish(model(1, spec.features().hash()));
        }

        Configuration conf = PipelineConfigs.configuration(spec);
        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, servers);
        conf.set(ScoringOptions.DELIVERY, "exactly-once");
        conf.set(ScoringOptions.PARALLELISM, PARALLELISM);
        conf.set(ScoringOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
        conf.set(ScoringOptions.TRANSACTIONAL_ID_PREFIX, "it-pipeline-" + UUID.randomUUID());
        StreamExecutionEnvironment env = StrictEnvironment.create();   // no Kryo anywhere, bounded restarts
        new PipelineScoringJob(spec, conf).build(env);
        JobClient job = env.executeAsync("it-pipeline-scoring");
        try (Outputs outputs = new Outputs(servers);
             KafkaProducer<byte[], byte[]> producer = CommittedTopics.producer(servers)) {
            int events = 300;
            int bad = 0;
            for (int i = 0; i < events; i++) {
                boolean corrupt = i % 25 == 7;
                bad += corrupt ? 1 : 0;
                producer.send(new ProducerRecord<>(topics.events(), utf8("dev-" + (i % 7)), utf8(corrupt ? bad(i) : json(i))));
            }
            producer.flush();
            int good = events - bad;
            int expectedDead = bad;
            outputs.awaitUntil(() -> outputs.scores.size() >= good && outputs.deadLetters.size() >= expectedDead,
                    Duration.ofMinutes(2));
            outputs.pollFor(Duration.ofSeconds(2));
            assertThat(outputs.scores).hasSize(good);
            assertThat(outputs.deadLetters).hasSize(bad);
            assertThat(outputs.deadLetters).anySatisfy(d -> assertThat(d.getErrorMessage()).contains("deviceId"));
            assertThat(outputs.deadLetters).anySatisfy(d -> assertThat(d.getErrorMessage()).contains("x04"));
            assertThat(outputs.deadLetters).anySatisfy(d -> assertThat(d.getErrorMessage()).contains("x09"));
            assertThat(outputs.deadLetters).allSatisfy(d -> assertThat(d.getErrorMessage()).contains(topics.events() + "/"));
            Set<String> ids = new HashSet<>();
            for (Score s : outputs.scores) {
                assertThat(ids.add(s.getEventId())).as("duplicate score %s", s.getEventId()).isTrue();
                assertThat(s.getModels()).extracting(ModelScore::getName, ModelScore::getVersion)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple(modelName, 1));
            }
            assertThat(outputs.features).hasSize(good);
            assertThat(outputs.features).allSatisfy(v -> {
                assertThat(v.getSpecHash()).isEqualTo(spec.features().hash());
                assertThat(v.getValues()).hasSize(spec.features().count());
            });

            // A model trained for another feature spec: refused, naming both hashes; v1 keeps serving.
            String otherHash = "0".repeat(64);
            try (ModelRegistry registry = new ModelRegistry(servers, topics.models())) {
                registry.publish(model(2, otherHash));
            }
            outputs.awaitUntil(() -> outputs.modelEvents.stream().anyMatch(e -> e.getKind() == ModelEventKind.REJECTED
                    && e.getVersion() == 2), Duration.ofMinutes(1));
            ModelEvent rejected = outputs.modelEvents.stream()
                    .filter(e -> e.getKind() == ModelEventKind.REJECTED).findFirst().orElseThrow();
            assertThat(rejected.getModelName()).isEqualTo(modelName);
            assertThat(rejected.getReason()).contains(otherHash).contains(spec.features().hash());

            int more = 100;
            for (int i = events; i < events + more; i++) {
                producer.send(new ProducerRecord<>(topics.events(), utf8("dev-" + (i % 7)), utf8(json(i))));
            }
            producer.flush();
            outputs.awaitUntil(() -> outputs.scores.size() >= good + more, Duration.ofMinutes(1));
            outputs.pollFor(Duration.ofSeconds(1));
            assertThat(outputs.scores).hasSize(good + more);
            assertThat(outputs.scores).allSatisfy(s -> assertThat(s.getModels().get(0).getVersion()).isEqualTo(1));
            assertThat(outputs.modelEvents).noneSatisfy(e -> assertThat(e.getKind() == ModelEventKind.LOADED
                    && e.getVersion() == 2).isTrue());
        } finally {
            job.cancel().get();
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static final class Outputs implements AutoCloseable {
        final CommittedTopics committed;
        final List<Score> scores = new ArrayList<>();
        final List<FeatureVector> features = new ArrayList<>();
        final List<DeadLetter> deadLetters = new ArrayList<>();
        final List<ModelEvent> modelEvents = new ArrayList<>();
        final AvroSerde<Score> scoreSerde = AvroSerde.of(Score.class);
        final AvroSerde<FeatureVector> featureSerde = AvroSerde.of(FeatureVector.class);
        final AvroSerde<DeadLetter> deadSerde = AvroSerde.of(DeadLetter.class);
        final AvroSerde<ModelEvent> eventSerde = AvroSerde.of(ModelEvent.class);

        Outputs(String servers) {
            committed = new CommittedTopics(servers, List.of(topics.scores(), topics.features(), topics.deadLetters(),
                    topics.modelEvents()), this::accept);
        }

        void accept(ConsumerRecord<byte[], byte[]> r) {
            if (r.topic().equals(topics.scores())) {
                scores.add(scoreSerde.decode(r.value()));
            } else if (r.topic().equals(topics.features())) {
                features.add(featureSerde.decode(r.value()));
            } else if (r.topic().equals(topics.deadLetters())) {
                deadLetters.add(deadSerde.decode(r.value()));
            } else {
                modelEvents.add(eventSerde.decode(r.value()));
            }
        }

        void awaitUntil(java.util.function.BooleanSupplier condition, Duration limit) {
            committed.awaitUntil(condition, limit);
        }

        void pollFor(Duration d) {
            committed.pollFor(d);
        }

        @Override
        public void close() {
            committed.close();
        }
    }
}
