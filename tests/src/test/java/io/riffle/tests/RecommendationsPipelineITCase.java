package io.riffle.tests;

import io.riffle.cli.KafkaTopics;
import io.riffle.cli.demo.reco.Interaction;
import io.riffle.cli.demo.reco.InteractionGenerator;
import io.riffle.embedded.EmbeddedKafka;
import io.riffle.jobs.LabelJoinJob;
import io.riffle.jobs.LabelJoinOptions;
import io.riffle.jobs.PipelineConfigs;
import io.riffle.jobs.PipelineScoringJob;
import io.riffle.jobs.ScoringOptions;
import io.riffle.jobs.testing.CommittedTopics;
import io.riffle.jobs.testing.StrictEnvironment;
import io.riffle.modelops.registry.ModelPublisher;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.ModelSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.testing.TestModels;
import io.riffle.schemas.ClassScore;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.ModelScore;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Recommendation;
import io.riffle.schemas.Score;
import io.riffle.schemas.TrainingExample;
import io.riffle.schemas.serde.AvroSerde;
import io.riffle.trainer.service.PipelineTrainers;
import io.riffle.trainer.service.TrainerOptions;
import io.riffle.trainer.service.TrainerService;
import io.riffle.trainer.service.TrainingReport;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
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

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The recommendation loop end to end on a real broker and a MiniCluster, from the shipped
 * {@code pipelines/recommendations.yaml}: a multiclass model published from outside (1,000 item
 * labels) serves first, and its top-k reaches the scores and the recommendations topic; the label
 * join takes each shopper's next item as the label of the event before; the file's trainer learns
 * from those examples and publishes a retrained version, which the running scorer swaps in. Every
 * event ends as a score or a dead letter.
 */
class RecommendationsPipelineITCase {

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

    @Test
    void aPublishedMulticlassModelRecommendsAndARetrainedVersionIsSwappedIn() throws Exception {
        PipelineSpec spec = PipelineSpec.load(Path.of("../pipelines/recommendations.yaml"));
        KafkaSpec.TopicNames topics = spec.kafka().topics();
        String servers = kafka.bootstrapServers();
        KafkaTopics.ensureFor(servers, java.util.Map.of(), 2, topics, false);

        Configuration conf = PipelineConfigs.configuration(spec);
        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, servers);
        conf.set(ScoringOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
        conf.set(ScoringOptions.TRANSACTIONAL_ID_PREFIX, "it-recs-scoring");
        conf.set(LabelJoinOptions.TRANSACTIONAL_ID_PREFIX, "it-recs-join");
        StreamExecutionEnvironment env = StrictEnvironment.create();
        new PipelineScoringJob(spec, conf).build(env);
        new LabelJoinJob(conf).build(env);
        JobClient job = env.executeAsync("it-recommendations");

        double rate = 1_000;
        InteractionGenerator shop = new InteractionGenerator(7L, 5_000, 1_000, rate);
        List<String> items = shop.catalogue().itemIds();
        // A model made elsewhere: the pipeline's feature width in, one column per catalogue item out.
        int features = spec.features().count();
        ModelVersion external = ModelVersion.newBuilder(TestModels.multiclassMlp("recs", 1, features, items.size(), 3L))
                .setClassLabels(items).setFeatureSpecHash(spec.features().hash()).build();
        try (ModelPublisher publisher = ModelPublisher.open(servers, topics.models(), java.util.Map.of(), null)) {
            publisher.publish(external);
        }

        ModelSpec recs = spec.models().stream().filter(m -> m.name().equals("recs")).findFirst().orElseThrow();
        TrainerOptions trainerOptions = PipelineTrainers.options(spec, recs, servers).toBuilder()
                .schedule(Duration.ofSeconds(2), 2_000)
                .minimums(2_000, 0)
                .build();
        List<TrainingReport> reports = new CopyOnWriteArrayList<>();

        List<Score> scores = new CopyOnWriteArrayList<>();
        List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
        List<Recommendation> recommendations = new CopyOnWriteArrayList<>();
        List<TrainingExample> examples = new CopyOnWriteArrayList<>();
        AvroSerde<Score> scoreSerde = AvroSerde.of(Score.class);
        AvroSerde<DeadLetter> deadSerde = AvroSerde.of(DeadLetter.class);
        AvroSerde<Recommendation> recSerde = AvroSerde.of(Recommendation.class);
        AvroSerde<TrainingExample> exampleSerde = AvroSerde.of(TrainingExample.class);
        BinaryMessageEncoder<GenericRecord> encoder = new BinaryMessageEncoder<>(GenericData.get(), spec.eventSchema());
        int sent = 0;
        try (TrainerService trainer = new TrainerService(trainerOptions, reports::add);
             CommittedTopics outputs = new CommittedTopics(servers,
                     List.of(topics.scores(), topics.deadLetters(), topics.recommendations(), topics.training()),
                     (ConsumerRecord<byte[], byte[]> r) -> {
                         if (r.topic().equals(topics.scores())) {
                             scores.add(scoreSerde.decode(r.value()));
                         } else if (r.topic().equals(topics.deadLetters())) {
                             deadLetters.add(deadSerde.decode(r.value()));
                         } else if (r.topic().equals(topics.recommendations())) {
                             recommendations.add(recSerde.decode(r.value()));
                         } else {
                             examples.add(exampleSerde.decode(r.value()));
                         }
                     });
             KafkaProducer<byte[], byte[]> producer = CommittedTopics.producer(servers)) {
            trainer.start();
            long start = System.currentTimeMillis();
            long deadline = start + Duration.ofMinutes(4).toMillis();
            // Shoppers' events in event time at the generator's rate, in rounds, until the trainer has
            // published a retrained version (or the deadline passes).
            while (reports.stream().noneMatch(TrainingReport::published) && System.currentTimeMillis() < deadline
                    || sent < 6_000) {
                for (int i = 0; i < 1_000; i++, sent++) {
                    send(producer, topics.events(), encoder, spec, shop.next(start + (long) (sent * 1000 / rate)));
                }
                producer.send(new ProducerRecord<>(topics.events(), utf8("bad"), utf8("not avro")));
                sent++;
                producer.flush();
                outputs.pollFor(Duration.ofMillis(500));
            }
            int total = sent;
            TrainingReport retrained = reports.stream().filter(TrainingReport::published).findFirst().orElseThrow(
                    () -> new AssertionError("no retrained version within 4 minutes; rounds: " + reports));
            assertThat(retrained.version()).isEqualTo(2);

            // The external model's top-k in the scores and on the recommendations topic.
            outputs.awaitUntil(() -> recommendations.stream().anyMatch(r -> r.getVersion() == 1), Duration.ofMinutes(1));
            Recommendation first = recommendations.stream().filter(r -> r.getVersion() == 1).findFirst().orElseThrow();
            assertThat(first.getModel()).isEqualTo("recs");
            assertThat(first.getItems()).hasSize(recs.topK());
            assertThat(first.getItems()).extracting(ClassScore::getLabel).allSatisfy(l -> assertThat(items).contains(l));
            assertThat(first.getItems()).extracting(ClassScore::getProbability)
                    .isSortedAccordingTo((a, b) -> Float.compare(b, a));

            // Labels from the stream itself: each example's class is an item of the catalogue.
            assertThat(examples).isNotEmpty();
            assertThat(examples).allSatisfy(e -> {
                assertThat(e.getLabel()).isEqualTo(-1);
                assertThat(items).contains(e.getLabelClass());
            });

            // More traffic: the retrained version serves it.
            for (int i = 0; i < 3_000; i++, sent++) {
                send(producer, topics.events(), encoder, spec, shop.next(start + (long) (sent * 1000 / rate)));
            }
            producer.flush();
            int events = sent;
            outputs.awaitUntil(() -> scores.size() + deadLetters.size() >= events, Duration.ofMinutes(2));
            // The recommendations are another topic, read by the same consumer in its own fetches: seeing
            // every score committed does not mean their recommendations have been fetched too (a CI run
            // read 20,228 of 21,000 two seconds later).
            outputs.awaitUntil(() -> recommendations.size() >= scores.size(), Duration.ofMinutes(1));
            outputs.pollFor(Duration.ofSeconds(2));
            assertThat(recommendations).anyMatch(r -> r.getVersion() == 2);
            Set<String> ids = new HashSet<>();
            for (Score s : scores) {
                assertThat(ids.add(s.getEventId())).as("scored once: %s", s.getEventId()).isTrue();
                ModelScore ms = s.getModels().stream().filter(m -> m.getName().equals("recs")).findFirst().orElseThrow();
                assertThat(ms.getTopK()).hasSize(recs.topK());
            }
            int bad = total / 1_001;
            assertThat(deadLetters).hasSize(bad);
            assertThat(scores.size() + deadLetters.size()).isEqualTo(events);
            assertThat(recommendations.size()).isGreaterThanOrEqualTo(scores.size());
        } finally {
            job.cancel().get();
        }
    }

    /** One interaction in the pipeline's Avro single-object encoding, keyed by shopper. */
    private static void send(KafkaProducer<byte[], byte[]> producer, String topic,
                             BinaryMessageEncoder<GenericRecord> encoder, PipelineSpec spec, Interaction it)
            throws java.io.IOException {
        ByteBuffer value = encoder.encode(it.toRecord(spec.eventSchema()));
        byte[] bytes = new byte[value.remaining()];
        value.get(bytes);
        producer.send(new ProducerRecord<>(topic, utf8(it.userId()), bytes));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
