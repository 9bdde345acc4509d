package io.riffle.trainer.service;

import io.riffle.embedded.EmbeddedKafka;
import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.modelops.spec.DriftSpec;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.TrainingExample;
import io.riffle.schemas.serde.AvroSerde;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Multiclass trainers against a real broker: examples with a {@code labelClass} on the training
 * topic become a published multiclass version (class labels, ranking metrics, training window),
 * more examples a retrained second version judged against it, and the popularity baseline
 * publishes beside it under its own name.
 */
class MulticlassTrainerServiceITCase {
    private static final String SPEC = "spec-multiclass";
    private static final int CLASSES = 30;
    /** seg_a, seg_b, seg_other: a one-hot segment; then five numeric features. */
    private static final List<String> FEATURES = List.of("seg_a", "seg_b", "seg_other", "f0", "f1", "f2", "f3", "f4");
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    /**
     * Class c (geometric: item-0 the most frequent) has its rows around its own centre in the
     * numeric features; the segment is random, so popularity per segment is about the global one.
     */
    private static TrainingExample example(String id, Random random, long time, float[][] centres) {
        int c = Math.min(CLASSES - 1, (int) (-Math.log(1 - random.nextDouble()) * 3));
        List<Float> values = new ArrayList<>(FEATURES.size());
        int segment = random.nextInt(3);
        for (int k = 0; k < 3; k++) {
            values.add(k == segment ? 1f : 0f);
        }
        for (int j = 0; j < 5; j++) {
            values.add((float) (centres[c][j] + 0.5 * random.nextGaussian()));
        }
        return new TrainingExample(id, "user-" + random.nextInt(50), time, time + 1000, SPEC, values, -1,
                "item-" + c);
    }

    private static void produce(String topic, List<TrainingExample> examples, long timestamp) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        AvroSerde<TrainingExample> serde = AvroSerde.of(TrainingExample.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (TrainingExample e : examples) {
                producer.send(new ProducerRecord<>(topic, null, timestamp,
                        e.getEventId().getBytes(StandardCharsets.UTF_8), serde.encode(e)));
            }
        }
    }

    private static TrainerOptions options(String suffix, String name, ModelKind kind, List<String> segments) {
        return TrainerOptions.builder(kafka.bootstrapServers(), name, kind, FEATURES.size(), SPEC, FEATURES)
                .topics("mc-training-" + suffix, "mc-models-" + suffix, "mc-events-" + suffix)
                .multiclass(3, 1000, segments)
                .training(TrainerConfig.multiclassDefaults(kind))
                // A round once all 1,600 examples of the second batch arrived (the first batch is there before start).
                .schedule(Duration.ofDays(1), 1600)
                .minimums(500, 0)
                .drift(DriftSpec.off())
                .build();
    }

    @Test
    void multiclassVersionsAndThePopularityBaselineArePublished() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String training = "mc-training-" + suffix;
        kafka.createTopic(training, 2, Map.of());
        kafka.createTopic("mc-models-" + suffix, 1, Map.of("cleanup.policy", "compact",
                "max.message.bytes", String.valueOf(64 << 20)));
        kafka.createTopic("mc-events-" + suffix, 1, Map.of());
        Random random = new Random(5);
        float[][] centres = new float[CLASSES][5];
        for (float[] c : centres) {
            for (int j = 0; j < 5; j++) {
                c[j] = (float) (random.nextGaussian() * 2);
            }
        }
        long now = System.currentTimeMillis();
        List<TrainingExample> first = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            first.add(example("a-" + i, random, now - 10_000 + i, centres));
        }
        // No class: counted and skipped, never a failed round.
        for (int i = 0; i < 20; i++) {
            first.add(TrainingExample.newBuilder(example("none-" + i, random, now, centres)).setLabelClass(null).build());
        }
        produce(training, first, now);

        List<TrainingReport> reports = new CopyOnWriteArrayList<>();
        List<TrainingReport> baseline = new CopyOnWriteArrayList<>();
        try (TrainerService learned = new TrainerService(options(suffix, "rec", ModelKind.LOGISTIC, List.of()),
                reports::add);
             TrainerService popularity = new TrainerService(options(suffix, "rec-popular", ModelKind.POPULARITY,
                     List.of("seg_a", "seg_b", "seg_other")), baseline::add)) {
            learned.start();
            popularity.start();
            await().atMost(Duration.ofSeconds(90)).until(() -> !reports.isEmpty() && !baseline.isEmpty());
            assertThat(reports.get(0).outcome()).as(reports.get(0).detail()).isEqualTo(TrainingReport.Outcome.PROMOTED);
            assertThat(reports.get(0).parityMaxDiff()).isLessThanOrEqualTo(1e-5);
            assertThat(baseline.get(0).outcome()).as(baseline.get(0).detail())
                    .isEqualTo(TrainingReport.Outcome.PROMOTED);

            // More examples: a retrained version, judged against the first on the same holdout.
            List<TrainingExample> more = new ArrayList<>();
            for (int i = 0; i < 1600; i++) {
                more.add(example("b-" + i, random, now + i, centres));
            }
            produce(training, more, System.currentTimeMillis());
            await().atMost(Duration.ofSeconds(90)).until(() -> reports.size() >= 2);
            TrainingReport second = reports.get(1);
            assertThat(second.outcome()).as(second.detail())
                    .isIn(TrainingReport.Outcome.PROMOTED, TrainingReport.Outcome.SHADOW);
            assertThat(second.championVersion()).isEqualTo(1);
        }

        try (ModelRegistry registry = new ModelRegistry(kafka.bootstrapServers(), "mc-models-" + suffix)) {
            List<ModelVersion> versions = registry.list(Duration.ofSeconds(30));
            ModelVersion v1 = versions.stream().filter(v -> v.getName().equals("rec") && v.getVersion() == 1)
                    .findFirst().orElseThrow();
            assertThat(v1.getTask()).isEqualTo(ModelTask.MULTICLASS);
            assertThat(v1.getRole()).isEqualTo(ModelRole.CHAMPION);
            assertThat(v1.getClassLabels()).hasSizeBetween(10, CLASSES).doesNotHaveDuplicates()
                    .allMatch(l -> l.startsWith("item-"));
            assertThat(v1.getClassLabels().get(0)).isEqualTo("item-0");       // the most frequent class first
            assertThat(v1.getOutputKind()).isEqualTo("probabilities");
            assertThat(v1.getFeatureSpecHash()).isEqualTo(SPEC);
            assertThat(v1.getMetrics()).containsKeys("recall_at_k", "ndcg_at_k", "mrr", "coverage", "k", "classes",
                    "examples", "parity_max_diff");
            assertThat(v1.getMetrics().get("k")).isEqualTo(3.0);
            assertThat(v1.getMetrics().get("classes")).isEqualTo((double) v1.getClassLabels().size());
            assertThat(v1.getMetrics().get("examples")).isEqualTo(2000.0);
            assertThat(v1.getMetrics().get("skipped_without_class")).isEqualTo(20.0);
            assertThat(v1.getTrainingWindow().getExampleCount()).isEqualTo(2000);

            ModelVersion retrained = versions.stream()
                    .filter(v -> (v.getName().equals("rec") || v.getName().equals("rec-shadow")) && v != v1)
                    .findFirst().orElseThrow();
            assertThat(retrained.getParentVersion()).isEqualTo(1);
            assertThat(retrained.getMetrics()).containsKey("champion_recall_at_k");
            assertThat(retrained.getMetrics().get("examples")).isEqualTo(3600.0);

            ModelVersion pop = versions.stream().filter(v -> v.getName().equals("rec-popular")).findFirst()
                    .orElseThrow();
            assertThat(pop.getTask()).isEqualTo(ModelTask.MULTICLASS);
            assertThat(pop.getClassLabels()).isNotEmpty();
            // The learned model ranks far better than "most popular" (per segment) on a separable problem.
            assertThat(v1.getMetrics().get("recall_at_k")).isGreaterThan(0.9);
            assertThat(pop.getMetrics().get("recall_at_k")).isLessThan(v1.getMetrics().get("recall_at_k") - 0.2);
        }
    }
}
