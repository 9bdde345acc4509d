package io.riffle.tests;

import io.riffle.cli.KafkaTopics;
import io.riffle.embedded.EmbeddedKafka;
import io.riffle.jobs.LabelJoinJob;
import io.riffle.jobs.LabelJoinOptions;
import io.riffle.jobs.PipelineConfigs;
import io.riffle.jobs.PipelineScoringJob;
import io.riffle.jobs.ScoringOptions;
import io.riffle.jobs.testing.CommittedTopics;
import io.riffle.jobs.testing.StrictEnvironment;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.ModelSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.ModelEventKind;
import io.riffle.schemas.ModelScore;
import io.riffle.schemas.Score;
import io.riffle.schemas.serde.AvroSerde;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.trainer.model.TrainerConfig;
import io.riffle.modelops.spec.OnWorse;
import io.riffle.trainer.service.TrainerOptions;
import io.riffle.trainer.service.TrainerService;
import io.riffle.trainer.service.TrainingReport;
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
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A pipeline that is not the demo's, run from its pipeline file: JSON events with 30 numeric
 * fields are featurized by the spec, their JSON labels are joined, the trainer publishes the first
 * model, and every event — including those that waited for it — is scored by that model.
 */
class GenericPipelineITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static EmbeddedKafka kafka;

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

    static String event(int i, Random random, long time) {
        StringBuilder json = new StringBuilder(String.format(Locale.ROOT,
                "{\"eventId\":\"g-%d\",\"deviceId\":\"dev-%d\",\"eventTime\":%d,\"region\":\"%s\"", i, i % 40, time,
                List.of("north", "south", "east", "west").get(i % 4)));
        for (int j = 0; j < 30; j++) {
            json.append(String.format(Locale.ROOT, ",\"x%02d\":%.4f", j, random.nextGaussian()));
        }
        return json.append('}').toString();
    }

    /** Positives are the events whose first two measurements are jointly high. */
    static int label(String json) {
        double x00 = Double.parseDouble(json.replaceAll(".*\"x00\":(-?[0-9.]+).*", "$1"));
        double x01 = Double.parseDouble(json.replaceAll(".*\"x01\":(-?[0-9.]+).*", "$1"));
        return x00 + x01 > 2.0 ? 1 : 0;
    }

    @Test
    void jsonEventsOfAnotherSchemaAreScoredByTheModelTheTrainerPublishes() throws Exception {
        PipelineSpec spec = PipelineSpec.load(Path.of("../pipelines/generic-30.yaml"));
        KafkaSpec.TopicNames topics = spec.kafka().topics();
        String servers = kafka.bootstrapServers();
        KafkaTopics.ensureFor(servers, 2, topics);

        Configuration conf = PipelineConfigs.configuration(spec);
        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, servers);
        conf.set(ScoringOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
        conf.set(ScoringOptions.TRANSACTIONAL_ID_PREFIX, "it-generic-scoring");
        conf.set(LabelJoinOptions.TRANSACTIONAL_ID_PREFIX, "it-generic-join");
        StreamExecutionEnvironment env = StrictEnvironment.create();   // no Kryo anywhere, bounded restarts
        new PipelineScoringJob(spec, conf).build(env);
        new LabelJoinJob(conf).build(env);
        JobClient job = env.executeAsync("it-generic");

        ModelSpec model = spec.models().get(0);
        List<TrainingReport> reports = new CopyOnWriteArrayList<>();
        TrainerOptions trainerOptions = TrainerOptions.builder(servers, model.name(), ModelKind.LOGISTIC,
                        spec.features().count(), spec.features().hash(), spec.features().names())
                .topics(topics.training(), topics.models(), topics.modelEvents())
                .training(TrainerConfig.defaults(ModelKind.LOGISTIC).withMaxEpochs(20))
                .schedule(Duration.ofSeconds(2), 1_500)
                .minimums(1_000, 20)
                .gate(0.002, OnWorse.SHADOW)
                .build();

        List<Score> scores = new CopyOnWriteArrayList<>();
        List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
        List<ModelEvent> modelEvents = new CopyOnWriteArrayList<>();
        AvroSerde<Score> scoreSerde = AvroSerde.of(Score.class);
        AvroSerde<DeadLetter> deadSerde = AvroSerde.of(DeadLetter.class);
        AvroSerde<ModelEvent> eventSerde = AvroSerde.of(ModelEvent.class);
        try (TrainerService trainer = new TrainerService(trainerOptions, reports::add);
             CommittedTopics outputs = new CommittedTopics(servers,
                     List.of(topics.scores(), topics.deadLetters(), topics.modelEvents()),
                     (ConsumerRecord<byte[], byte[]> r) -> {
                         if (r.topic().equals(topics.scores())) {
                             scores.add(scoreSerde.decode(r.value()));
                         } else if (r.topic().equals(topics.deadLetters())) {
                             deadLetters.add(deadSerde.decode(r.value()));
                         } else {
                             modelEvents.add(eventSerde.decode(r.value()));
                         }
                     });
             KafkaProducer<byte[], byte[]> producer = CommittedTopics.producer(servers)) {
            trainer.start();
            Random random = new Random(5);
            int events = 3_000;
            long now = System.currentTimeMillis();
            List<String> labels = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                String json = event(i, random, now - (events - i) * 20L);
                producer.send(new ProducerRecord<>(topics.events(), utf8("dev-" + i % 40), utf8(json)));
                labels.add(String.format(Locale.ROOT, "{\"eventId\":\"g-%d\",\"label\":%d,\"labelTime\":%d}", i,
                        label(json), now));
            }
            producer.send(new ProducerRecord<>(topics.events(), utf8("bad"), utf8("{\"eventId\":\"b-1\",\"deviceId\":\"d\"}")));
            producer.send(new ProducerRecord<>(topics.events(), utf8("bad"), utf8("not json")));
            producer.flush();
            for (String l : labels) {
                producer.send(new ProducerRecord<>(topics.labels(), null, utf8(l)));
            }
            producer.flush();

            // No model yet: the events wait; the trainer learns from the joined labels and publishes v1.
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                    .until(() -> reports.stream().anyMatch(r -> r.outcome() == TrainingReport.Outcome.PROMOTED));
            TrainingReport first = reports.stream().filter(r -> r.outcome() == TrainingReport.Outcome.PROMOTED)
                    .findFirst().orElseThrow();
            assertThat(first.version()).isEqualTo(1);
            assertThat(first.candidate().rocAuc()).isGreaterThan(0.9);

            outputs.awaitUntil(() -> scores.size() + deadLetters.size() >= events + 2, Duration.ofMinutes(2));
            outputs.pollFor(Duration.ofSeconds(2));
            assertThat(deadLetters).hasSize(2);
            assertThat(scores).hasSize(events);
            Set<String> ids = new HashSet<>();
            for (Score s : scores) {
                assertThat(ids.add(s.getEventId())).isTrue();
                ModelScore ms = s.getModels().get(0);
                assertThat(ms.getName()).isEqualTo(model.name());
                assertThat(ms.getVersion()).isEqualTo(1);
            }
            assertThat(modelEvents).anyMatch(e -> e.getKind() == ModelEventKind.LOADED && e.getVersion() == 1);
        } finally {
            job.cancel().get();
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
