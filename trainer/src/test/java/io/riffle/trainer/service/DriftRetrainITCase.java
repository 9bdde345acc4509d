package io.riffle.trainer.service;

import static io.riffle.trainer.service.TrainerServiceITCase.FEATURES;
import static io.riffle.trainer.service.TrainerServiceITCase.SPEC;
import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.embedded.EmbeddedKafka;
import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.modelops.spec.DriftSpec;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.ModelEventKind;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.TrainingExample;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Drift that acts, against a real broker: a champion fitted on one concept watches its live error
 * as the stream switches to another; the detector fires, and the trainer retrains at once (its
 * schedule would never have) on the examples since the change and promotes a new champion.
 */
class DriftRetrainITCase {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
        TrainerServiceITCase.kafka = kafka;
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    /** Concept A: positives shifted on features 0-2; concept B: on features 3-5 (A's champion misses them). */
    private static TrainingExample example(String id, Random random, long time, boolean conceptB) {
        int label = random.nextDouble() < 0.1 ? 1 : 0;
        List<Float> values = new ArrayList<>(FEATURES);
        for (int j = 0; j < FEATURES; j++) {
            boolean shifted = label == 1 && (conceptB ? j >= 3 && j < 6 : j < 3);
            values.add((float) (random.nextGaussian() + (shifted ? 3.0 : 0)));
        }
        return new TrainingExample(id, "e-" + random.nextInt(100), time, time + 500, SPEC, values, label, null);
    }

    @Test
    void aRiseOfTheChampionsLiveErrorTriggersARetrainThatIsPromoted() throws Exception {
        String suffix = TrainerServiceITCase.topics("drift");
        String training = "drift-training-" + suffix;
        Random random = new Random(3);
        long start = System.currentTimeMillis();
        List<TrainingExample> before = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            before.add(example("a-" + i, random, start - 2000 + i, false));
        }
        TrainerServiceITCase.produce(training, before, start);

        List<TrainingReport> reports = new CopyOnWriteArrayList<>();
        TrainerOptions options = TrainerServiceITCase.options("drift", suffix, ModelKind.LOGISTIC)
                .minimums(400, 20)
                .drift(DriftSpec.defaults())
                .build();
        assertThat(options.retrainEvery()).isEqualTo(Duration.ofDays(1));   // only the drift can trigger a round
        long switchTime;
        TrainingReport learned;
        try (TrainerService trainer = new TrainerService(options, reports::add)) {
            trainer.catchUp(Duration.ofSeconds(60));
            TrainingReport first = trainer.trainOnce();
            assertThat(first.outcome()).isEqualTo(TrainingReport.Outcome.PROMOTED);
            trainer.start();

            // Examples arrive live, a batch at a time: first of the champion's concept (the detector
            // learns its error), then of the other one.
            int sent = 0;
            for (int b = 0; b < 30; b++) {
                sent = produceBatch(training, random, sent, false);
            }
            switchTime = System.currentTimeMillis();
            long deadline = switchTime + 90_000;
            while (reports.stream().noneMatch(DriftRetrainITCase::learnedTheNewConcept)
                    && System.currentTimeMillis() < deadline) {
                sent = produceBatch(training, random, sent, true);
            }
            assertThat(reports).extracting(TrainingReport::outcome)
                    .as("a drift detection, then a promoted retrain").containsSubsequence(
                            TrainingReport.Outcome.DRIFT_DETECTED, TrainingReport.Outcome.PROMOTED);
            TrainingReport detected = reports.stream()
                    .filter(r -> r.outcome() == TrainingReport.Outcome.DRIFT_DETECTED).findFirst().orElseThrow();
            assertThat(detected.championVersion()).isEqualTo(1);
            assertThat(detected.detail()).contains("ADWIN", "fraud v1");
            // The round at the detection trains on what the cut left (at least min-examples, some of the old
            // concept) and is judged by cross-validation on all of it: promoted only if its out-of-fold AUC beats
            // v1's on the same examples, where v1 is poor (the new concept) but not hopeless (the old one).
            TrainingReport immediate = reports.stream()
                    .filter(r -> r.outcome() == TrainingReport.Outcome.PROMOTED).findFirst().orElseThrow();
            assertThat(immediate.championVersion()).isEqualTo(1);
            assertThat(immediate.candidate().rocAuc()).isGreaterThan(immediate.champion().rocAuc());
            assertThat(immediate.champion().rocAuc()).as("v1 on the window since the change").isLessThan(0.9);
            assertThat(immediate.detail()).contains("cross-validated");
            // The round after min-examples more (or a later one) learns the new concept.
            learned = reports.stream().filter(DriftRetrainITCase::learnedTheNewConcept).findFirst().orElseThrow();
        }

        try (ModelRegistry registry = new ModelRegistry(kafka.bootstrapServers(), "drift-models-" + suffix)) {
            int version = learned.version();
            ModelVersion mv = registry.list(Duration.ofSeconds(30)).stream()
                    .filter(v -> v.getVersion() == version).findFirst().orElseThrow();
            assertThat(mv.getRole()).isEqualTo(ModelRole.CHAMPION);
            // Trained on the examples since the change: none of concept A's 2,000 are left in its window.
            // (ADWIN cuts at its bucket boundaries: a few hundred of the last examples before the switch may stay.)
            assertThat(mv.getTrainingWindow().getFirstEventTime()).isGreaterThan(switchTime - 1500);
            assertThat(mv.getTrainingWindow().getExampleCount()).isLessThan(2000 + 3000);
        }
        // The first detection is v1's (a later champion may see its own).
        assertThat(driftEvents("drift-events-" + suffix)).first()
                .satisfies(e -> {
                    assertThat(e.getModelName()).isEqualTo("fraud");
                    assertThat(e.getVersion()).isEqualTo(1);
                    assertThat(e.getReason()).contains("rose from");
                });
    }

    private static boolean learnedTheNewConcept(TrainingReport r) {
        return r.outcome() == TrainingReport.Outcome.PROMOTED && r.candidate().rocAuc() > 0.9;
    }

    /** 100 live examples of one concept, then a pause; returns the count sent so far. */
    private static int produceBatch(String topic, Random random, int sent, boolean conceptB) throws InterruptedException {
        List<TrainingExample> batch = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (int i = 0; i < 100; i++) {
            batch.add(example((conceptB ? "b-" : "a-live-") + (sent + i), random, now, conceptB));
        }
        TrainerServiceITCase.produce(topic, batch, now);
        Thread.sleep(50);
        return sent + 100;
    }

    private static List<ModelEvent> driftEvents(String topic) {
        AvroSerde<ModelEvent> serde = AvroSerde.of(ModelEvent.class);
        List<ModelEvent> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.GROUP_ID_CONFIG, "drift-check"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 20_000;
            boolean promoted = false;
            while (!promoted && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    ModelEvent e = serde.decode(r.value());
                    if (e.getKind() == ModelEventKind.DRIFT_DETECTED) {
                        out.add(e);
                    }
                    promoted |= e.getKind() == ModelEventKind.PROMOTED && e.getVersion() == 2;
                }
            }
            assertThat(promoted).as("the events topic shows v2's promotion after the detection").isTrue();
        }
        return out;
    }
}
