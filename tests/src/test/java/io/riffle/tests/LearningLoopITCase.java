package io.riffle.tests;

import io.riffle.cli.KafkaTopics;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.cli.demo.GeneratedEvent;
import io.riffle.cli.demo.TransactionGenerator;
import io.riffle.embedded.EmbeddedKafka;
import io.riffle.jobs.LabelJoinJob;
import io.riffle.jobs.LabelJoinOptions;
import io.riffle.jobs.PipelineConfigs;
import io.riffle.jobs.PipelineScoringJob;
import io.riffle.jobs.ScoringOptions;
import io.riffle.jobs.testing.CommittedTopics;
import io.riffle.jobs.testing.StrictEnvironment;
import io.riffle.modelops.spec.FeatureSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.modelops.testing.TestModels;
import io.riffle.schemas.Label;
import io.riffle.schemas.ModelScore;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import io.riffle.schemas.Topics;
import io.riffle.schemas.Transaction;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole loop on a real broker, a Flink MiniCluster and an in-process trainer: events are
 * scored by a poor bootstrap model, their labels arrive, the label join turns them into training
 * examples, the trainer publishes a better champion, and the running scorer serves it.
 */
class LearningLoopITCase {
    static final int PARALLELISM = 2;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(PARALLELISM).build());

    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
        KafkaTopics.ensureFor(kafka.bootstrapServers(), PARALLELISM, KafkaSpec.TopicNames.defaults());
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void labelsBecomeANewChampionThatTheRunningScorerServes() throws Exception {
        String servers = kafka.bootstrapServers();
        PipelineSpec spec = PipelineSpec.load(java.nio.file.Path.of("../pipelines/demo.yaml"));
        FeatureSpec features = spec.features();
        ModelVersion bootstrap = ModelVersion.newBuilder(TestModels.binaryMlp("fraud", 1, features.count(), 3))
                .setFeatureSpecHash(features.hash()).build();
        try (ModelRegistry registry = new ModelRegistry(servers, Topics.MODELS)) {
            registry.publish(bootstrap);
        }

        Configuration conf = PipelineConfigs.configuration(spec);
        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, servers);
        conf.set(ScoringOptions.PARALLELISM, PARALLELISM);
        conf.set(ScoringOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
        conf.set(ScoringOptions.BATCH_SIZE, 64);
        conf.set(ScoringOptions.TRANSACTIONAL_ID_PREFIX, "it-loop-scoring");
        conf.set(LabelJoinOptions.PARALLELISM, PARALLELISM);
        conf.set(LabelJoinOptions.TRANSACTIONAL_ID_PREFIX, "it-loop-join");
        conf.set(LabelJoinOptions.MAX_DELAY, Duration.ofMinutes(5));
        StreamExecutionEnvironment env = StrictEnvironment.create();   // no Kryo anywhere, bounded restarts
        new PipelineScoringJob(spec, conf).build(env);
        new LabelJoinJob(conf).build(env);
        JobClient job = env.executeAsync("it-loop");

        List<TrainingReport> reports = new CopyOnWriteArrayList<>();
        TrainerOptions trainerOptions = TrainerOptions.builder(servers, "fraud", ModelKind.LOGISTIC,
                        features.count(), features.hash(), features.names())
                .training(TrainerConfig.defaults(ModelKind.LOGISTIC).withMaxEpochs(20))
                .schedule(Duration.ofSeconds(2), 2_500)
                .minimums(1_500, 20)
                .gate(0.002, OnWorse.SHADOW)
                .build();
        TransactionGenerator generator = new TransactionGenerator(11, 300);
        generator.setFraudRate(0.06);
        try (TrainerService trainer = new TrainerService(trainerOptions, reports::add);
             ScoringPipelineITCase.Outputs outputs = new ScoringPipelineITCase.Outputs(servers);
             KafkaProducer<byte[], byte[]> producer = CommittedTopics.producer(servers)) {
            trainer.start();
            AvroSerde<Transaction> events = AvroSerde.of(Transaction.class);
            AvroSerde<Label> labels = AvroSerde.of(Label.class);

            // Phase 1: traffic and, a little later, its labels.
            int phase1 = 4_000;
            List<Label> pending = new ArrayList<>();
            long t = System.currentTimeMillis();
            for (int i = 0; i < phase1; i++) {
                GeneratedEvent g = generator.next(t + i * 50L);
                Transaction tx = g.transaction();
                producer.send(new ProducerRecord<>(Topics.EVENTS, tx.getCardId().getBytes(StandardCharsets.UTF_8),
                        events.encode(tx)));
                pending.add(new Label(tx.getEventId(), g.fraud() ? 1 : 0, System.currentTimeMillis(), null));
            }
            producer.flush();
            outputs.awaitUntil(() -> outputs.scores.size() >= phase1, Duration.ofMinutes(2));
            for (Label l : pending) {
                producer.send(new ProducerRecord<>(Topics.LABELS, l.getEventId().getBytes(StandardCharsets.UTF_8),
                        labels.encode(l)));
            }
            producer.flush();

            // The trainer sees the joined examples and promotes a model better than the bootstrap one.
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                    .until(() -> reports.stream().anyMatch(r -> r.outcome() == TrainingReport.Outcome.PROMOTED));
            TrainingReport promoted = reports.stream().filter(r -> r.outcome() == TrainingReport.Outcome.PROMOTED)
                    .findFirst().orElseThrow();
            assertThat(promoted.version()).isEqualTo(2);
            assertThat(promoted.championVersion()).isEqualTo(1);
            assertThat(promoted.candidate().rocAuc()).isGreaterThan(promoted.champion().rocAuc());
            assertThat(promoted.examples()).isGreaterThanOrEqualTo(1_500);
            outputs.awaitUntil(() -> outputs.loaded("fraud", 2) == PARALLELISM, Duration.ofMinutes(1));

            // Phase 2: every later event is scored by the trainer's version.
            int phase2 = 300;
            Set<String> later = new HashSet<>();
            long t2 = System.currentTimeMillis();
            for (int i = 0; i < phase2; i++) {
                Transaction tx = generator.next(t2 + i * 50L).transaction();
                later.add(tx.getEventId());
                producer.send(new ProducerRecord<>(Topics.EVENTS, tx.getCardId().getBytes(StandardCharsets.UTF_8),
                        events.encode(tx)));
            }
            producer.flush();
            outputs.awaitUntil(() -> outputs.scores.size() >= phase1 + phase2, Duration.ofMinutes(2));
            assertThat(outputs.scores).hasSize(phase1 + phase2);
            assertThat(outputs.deadLetters).isEmpty();
            for (Score s : outputs.scores) {
                int version = s.getModels().stream().filter(m -> m.getName().equals("fraud"))
                        .mapToInt(ModelScore::getVersion).findFirst().orElseThrow();
                if (later.contains(s.getEventId())) {
                    assertThat(version).as("score of %s", s.getEventId()).isEqualTo(2);
                }
            }
        } finally {
            job.cancel().get();
        }
    }
}
