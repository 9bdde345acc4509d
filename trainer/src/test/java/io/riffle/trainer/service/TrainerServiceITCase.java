package io.riffle.trainer.service;

import io.riffle.modelops.spec.OnWorse;
import io.riffle.embedded.EmbeddedKafka;
import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.modelops.trust.ModelVerifier;
import io.riffle.modelops.trust.SigningKeys;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.TrainingExample;
import io.riffle.schemas.serde.AvroSerde;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.trainer.model.TrainerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The trainer against a real broker: window rebuild on restart, publishing and the gate. */
class TrainerServiceITCase {
    static final int FEATURES = 8;
    static final String SPEC = "spec-test";
    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    /** A separable example: positives are shifted along the first three features. */
    static TrainingExample example(String id, Random random, long time) {
        int label = random.nextDouble() < 0.08 ? 1 : 0;
        List<Float> values = new ArrayList<>(FEATURES);
        for (int j = 0; j < FEATURES; j++) {
            values.add((float) (random.nextGaussian() + (label == 1 && j < 3 ? 2.5 : 0)));
        }
        return new TrainingExample(id, "card-" + random.nextInt(100), time, time + 1000, SPEC, values, label, null);
    }

    static String topics(String prefix) {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String training = prefix + "-training-" + suffix;
        kafka.createTopic(training, 2, Map.of());
        kafka.createTopic(prefix + "-models-" + suffix, 1, Map.of("cleanup.policy", "compact",
                "max.message.bytes", String.valueOf(64 << 20)));
        kafka.createTopic(prefix + "-events-" + suffix, 1, Map.of());
        return suffix;
    }

    static TrainerOptions.Builder options(String prefix, String suffix, ModelKind kind) {
        return TrainerOptions.builder(kafka.bootstrapServers(), "fraud", kind, FEATURES, SPEC, List.of())
                .topics(prefix + "-training-" + suffix, prefix + "-models-" + suffix, prefix + "-events-" + suffix)
                .training(TrainerConfig.defaults(kind).withMaxEpochs(8))
                .schedule(Duration.ofDays(1), Integer.MAX_VALUE)
                .minimums(200, 10);
    }

    static void produce(String topic, List<TrainingExample> examples, long timestamp) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        AvroSerde<TrainingExample> serde = AvroSerde.of(TrainingExample.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (TrainingExample e : examples) {
                producer.send(new ProducerRecord<>(topic, null, timestamp, e.getEventId().getBytes(StandardCharsets.UTF_8),
                        serde.encode(e)));
            }
        }
    }

    @Test
    void aRestartedTrainerRebuildsTheSameWindowFromTheTopic() {
        String suffix = topics("restart");
        String topic = "restart-training-" + suffix;
        Random random = new Random(1);
        long now = System.currentTimeMillis();
        List<TrainingExample> old = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            old.add(example("old-" + i, random, now - 7_200_000));
        }
        produce(topic, old, now - 7_200_000);                 // older than the 1 h window
        List<TrainingExample> recent = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
            recent.add(example("e-" + i, random, now));
        }
        for (int i = 0; i < 30; i++) {
            TrainingExample corrected = TrainingExample.newBuilder(recent.get(i)).setLabel(1 - recent.get(i).getLabel()).build();
            recent.add(corrected);                             // duplicates: latest wins
        }
        TrainingExample foreign = TrainingExample.newBuilder(example("x-1", random, now)).setSpecHash("other").build();
        recent.add(foreign);                                   // another feature spec: skipped
        produce(topic, recent, now);

        TrainerOptions opts = options("restart", suffix, ModelKind.LOGISTIC).window(Duration.ofHours(1), 600).build();
        List<String> first;
        try (TrainerService trainer = new TrainerService(opts, null)) {
            trainer.catchUp(Duration.ofSeconds(60));
            first = trainer.windowEventIds();
        }
        assertThat(first).hasSize(600);                        // the count bound keeps the newest 600
        assertThat(first).noneMatch(id -> id.startsWith("old-") || id.startsWith("x-"));
        assertThat(first).contains("e-0", "e-29");             // re-inserted by their corrections

        try (TrainerService restarted = new TrainerService(opts, null)) {
            restarted.catchUp(Duration.ofSeconds(60));
            assertThat(restarted.windowEventIds()).containsExactlyElementsOf(first);
        }
    }

    @Test
    void theFirstModelIsPromotedAndOneThatDoesNotBeatItIsNot(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String suffix = topics("gate");
        SigningKeys.write(SigningKeys.generate(), dir.resolve("riffle"));
        java.nio.file.Path key = dir.resolve("riffle.key");
        Random random = new Random(7);
        long now = System.currentTimeMillis();
        List<TrainingExample> examples = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            examples.add(example("g-" + i, random, now - 3000 + i));
        }
        produce("gate-training-" + suffix, examples, now);
        String models = "gate-models-" + suffix;

        // No champion yet: the first candidate is promoted.
        try (TrainerService trainer = new TrainerService(options("gate", suffix, ModelKind.LOGISTIC).signingKey(key)
                .build(), null)) {
            trainer.catchUp(Duration.ofSeconds(60));
            TrainingReport first = trainer.trainOnce();
            assertThat(first.outcome()).isEqualTo(TrainingReport.Outcome.PROMOTED);
            assertThat(first.candidate().rocAuc()).isGreaterThan(0.9);
            assertThat(first.parityMaxDiff()).isLessThanOrEqualTo(1e-5);
        }
        // A candidate that cannot beat the champion by the margin stays a shadow...
        try (TrainerService trainer = new TrainerService(options("gate", suffix, ModelKind.LOGISTIC)
                .gate(0.05, OnWorse.SHADOW).signingKey(key).build(), null)) {
            trainer.catchUp(Duration.ofSeconds(60));
            TrainingReport second = trainer.trainOnce();
            assertThat(second.outcome()).isEqualTo(TrainingReport.Outcome.SHADOW);
            assertThat(second.championVersion()).isEqualTo(1);
            assertThat(second.champion().rocAuc()).isGreaterThan(0.9);
        }
        // ...or is not published at all.
        try (TrainerService trainer = new TrainerService(options("gate", suffix, ModelKind.LOGISTIC)
                .gate(0.05, OnWorse.DISCARD).build(), null)) {
            trainer.catchUp(Duration.ofSeconds(60));
            assertThat(trainer.trainOnce().outcome()).isEqualTo(TrainingReport.Outcome.DISCARDED);
        }

        try (ModelRegistry registry = new ModelRegistry(kafka.bootstrapServers(), models)) {
            List<ModelVersion> versions = registry.list(Duration.ofSeconds(30));
            assertThat(versions).extracting(ModelVersion::getName, ModelVersion::getVersion, ModelVersion::getRole)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("fraud", 1, ModelRole.CHAMPION),
                            org.assertj.core.groups.Tuple.tuple("fraud-shadow", 1, ModelRole.SHADOW));
            ModelVersion champion = versions.get(0);
            assertThat(champion.getFeatureSpecHash()).isEqualTo(SPEC);
            assertThat(champion.getMetrics()).containsKeys("roc_auc", "pr_auc", "log_loss", "recall_at_1pct_fpr", "f1");
            assertThat(champion.getMetrics()).containsKeys("score_hist_00", "score_hist_10", "score_hist_19");
            assertThat(champion.getTrainingWindow().getExampleCount()).isEqualTo(3000);
            assertThat(champion.getTrainingWindow().getPositiveRate()).isBetween(0.04, 0.12);
            assertThat(champion.getParentVersion()).isNull();
            // The training rows' stats, from which the scorer's reason codes name unusual features.
            assertThat(champion.getFeatureStats().getMean()).hasSize(champion.getFeatureCount());
            assertThat(champion.getFeatureStats().getStd()).hasSize(champion.getFeatureCount())
                    .anySatisfy(std -> assertThat(std).isGreaterThan(0f));
            assertThat(versions.get(1).getParentVersion()).isEqualTo(1);
            assertThat(versions.get(1).getMetrics()).containsKey("champion_roc_auc");
            // Champion and shadow alike carry a signature the key's public half verifies.
            ModelVerifier verifier = ModelVerifier.fromFiles(List.of(dir.resolve("riffle.pub")));
            assertThat(versions).allSatisfy(v ->
                    assertThat(verifier.verify(v)).isEqualTo(ModelVerifier.Verdict.VERIFIED));
        }
    }

    @Test
    void ignoredFeaturesAndTrainFromShapeThePublishedVersion() {
        String suffix = topics("mask");
        Random random = new Random(11);
        long now = System.currentTimeMillis();
        List<TrainingExample> examples = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            examples.add(example("m-" + i, random, now - 3000 + i));
        }
        produce("mask-training-" + suffix, examples, now);
        List<String> names = List.of("f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7");
        TrainerOptions opts = TrainerOptions.builder(kafka.bootstrapServers(), "fraud", ModelKind.MLP, FEATURES, SPEC,
                        names)
                .topics("mask-training-" + suffix, "mask-models-" + suffix, "mask-events-" + suffix)
                .training(TrainerConfig.defaults(ModelKind.MLP).withMaxEpochs(8))
                .schedule(Duration.ofDays(1), Integer.MAX_VALUE)
                .minimums(200, 10)
                .ignoredFeatures(List.of("f0"))
                .trainFrom(Instant.ofEpochMilli(now - 1000))
                .build();
        try (TrainerService trainer = new TrainerService(opts, null)) {
            trainer.catchUp(Duration.ofSeconds(60));
            assertThat(trainer.windowEventIds()).hasSize(1000).doesNotContain("m-1999").contains("m-2000");
            TrainingReport report = trainer.trainOnce();
            assertThat(report.outcome()).isEqualTo(TrainingReport.Outcome.PROMOTED);
            assertThat(report.ignoredFeatures()).containsExactly("f0");
            assertThat(report.detail()).contains("1 of 8 features ignored");
            assertThat(report.parityMaxDiff()).isLessThanOrEqualTo(1e-5);
        }
        try (ModelRegistry registry = new ModelRegistry(kafka.bootstrapServers(), "mask-models-" + suffix)) {
            ModelVersion champion = registry.list(Duration.ofSeconds(30)).get(0);
            assertThat(champion.getFeatureCount()).isEqualTo(FEATURES);
            assertThat(champion.getMetrics()).containsEntry("features_used", 7.0);
            // Reason codes skip a feature of standard deviation 0: the model does not read f0.
            assertThat(champion.getFeatureStats().getStd().get(0)).isZero();
            assertThat(champion.getFeatureStats().getStd().get(1)).isGreaterThan(0f);
        }
    }
}
