package io.riffle.cli;

import io.riffle.jobs.testing.CommittedTopics;
import io.riffle.modelops.onnx.OnnxGraphs;
import io.riffle.modelops.onnx.OutputActivation;
import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.modelops.registry.ModelVersions;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real failures of real processes: pipelines submitted with {@code riffle submit} to a Flink
 * session cluster of separate JVMs (a job manager and two task managers of one slot each, so each
 * holds one of the job's two subtasks), reading from and
 * writing to a Kafka broker in a JVM of its own with a persistent log directory, exactly-once
 * delivery.
 * <ul>
 *   <li>While events stream in, a task manager is killed with SIGKILL three times (and started
 *       again, as a supervisor would). A {@code read_committed} consumer then sees every event id
 *       scored exactly once, no dead letter, and the model version served after the recoveries is
 *       the one served before them.</li>
 *   <li>The broker is stopped and started again (same log directory and port) mid-stream: the job
 *       recovers and every event is scored exactly once.</li>
 * </ul>
 */
class ProcessFailuresITCase {
    static final int KILLS = 3;
    static final Duration OUTAGE = Duration.ofSeconds(10);

    static BrokerProcess kafka;
    static FlinkSessionCluster flink;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "kill-itcase")), "cluster-");
        CompletableFuture<FlinkSessionCluster> cluster = CompletableFuture.supplyAsync(() -> {
            try {
                // one slot per task manager and parallelism 2: each holds a subtask, so every kill hits the job
                return FlinkSessionCluster.start(dir, 1, 2, List.of(
                        "restart-strategy.type: fixed-delay",
                        "restart-strategy.fixed-delay.attempts: 1000",
                        "restart-strategy.fixed-delay.delay: 1 s",
                        // a killed task manager says no goodbye: notice it in seconds, not Flink's 50 s
                        "heartbeat.interval: 1000",
                        "heartbeat.timeout: 5000",
                        CheckpointingOptions.CHECKPOINT_STORAGE.key() + ": filesystem",
                        CheckpointingOptions.CHECKPOINTS_DIRECTORY.key() + ": "
                                + Files.createDirectories(dir.resolve("checkpoints")).toUri()),
                        Duration.ofSeconds(90));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            kafka = new BrokerProcess(dir, freePort(), freePort());
            kafka.start();
        } finally {
            flink = cluster.join();
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (flink != null) {
            flink.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    static PipelineSpec pipeline(Path dir, String name) throws Exception {
        Path schema = Path.of("../pipelines/generic-30.avsc").toAbsolutePath().normalize();
        String yaml = """
                name: %2$s
                kafka:
                  topics: {events: %2$s.events, labels: %2$s.labels, features: %2$s.features, scores: %2$s.scores,
                           alerts: %2$s.alerts, training: %2$s.training, models: %2$s.models,
                           model-events: %2$s.model-events, dead-letters: %2$s.dead-letters}
                events:
                  schema: %1$s
                  format: json
                  key: deviceId
                  id: eventId
                  time: {field: eventTime, unit: epoch-millis}
                  allowed-lateness: 10s
                features:
                  fields: [{numeric: x00}, {numeric: x01}, {numeric: x02}]
                  aggregates:
                    windows: [1m]
                    functions: [count, {mean: x00}]
                models:
                  - {name: generic, task: binary, trainer: {kind: logistic}, thresholds: {review: 0.5, block: 0.9}}
                scoring: {batch-size: 64, max-delay: 10ms, delivery: exactly-once, parallelism: 2}
                """.formatted(schema, name);
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        return PipelineSpec.load(file);
    }

    @Test
    void everyEventIsScoredExactlyOnceThroughThreeTaskManagerKills() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "kill-pipeline-");
        PipelineSpec spec = pipeline(dir, "kill");
        KafkaSpec.TopicNames topics = spec.kafka().topics();
        String servers = kafka.bootstrapServers();
        String jobId = submit(spec, servers);
        publish(spec, servers, 1, 0.05f);

        List<Score> scores = new CopyOnWriteArrayList<>();
        List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
        AvroSerde<Score> scoreSerde = AvroSerde.of(Score.class);
        AvroSerde<DeadLetter> deadSerde = AvroSerde.of(DeadLetter.class);
        AtomicInteger produced = new AtomicInteger();
        try (CommittedTopics outputs = new CommittedTopics(servers, List.of(topics.scores(), topics.deadLetters()),
                (ConsumerRecord<byte[], byte[]> r) -> {
                    if (r.topic().equals(topics.scores())) {
                        scores.add(scoreSerde.decode(r.value()));
                    } else {
                        deadLetters.add(deadSerde.decode(r.value()));
                    }
                });
             KafkaProducer<byte[], byte[]> producer = CommittedTopics.producer(servers)) {
            Random random = new Random(17);
            // before the failures: v1, then v2 once scores flow
            produce(producer, topics.events(), random, produced, 300);
            outputs.awaitUntil(() -> scores.size() >= 300, Duration.ofSeconds(90));
            publish(spec, servers, 2, -0.05f);
            produce(producer, topics.events(), random, produced, 300);
            outputs.awaitUntil(() -> scores.stream().anyMatch(s -> s.getModels().get(0).getVersion() == 2)
                    && scores.size() >= 600, Duration.ofSeconds(60));

            for (int kill = 0; kill < KILLS; kill++) {
                int tm = kill % 2;
                produce(producer, topics.events(), random, produced, 200);
                long killedAt = System.currentTimeMillis();
                flink.killTaskManager(tm);
                produce(producer, topics.events(), random, produced, 200);
                flink.restartTaskManager(tm);
                // recovered: restarted since the kill, every task running, the new task manager registered
                try {
                    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                            .until(() -> flink.lastRestartMillis(jobId) >= killedAt && flink.allTasksRunning(jobId)
                                    && flink.get("/overview").path("slots-total").asInt() == 2);
                } catch (ConditionTimeoutException e) {
                    throw new AssertionError("kill " + (kill + 1) + " of task manager " + tm + " at " + killedAt
                            + ": no recovery within 3 minutes: " + flink.describe(jobId) + "\n" + flink.logTails(200), e);
                }
                System.out.printf("kill %d of task manager %d: recovered in %.1f s (%s)%n", kill + 1, tm,
                        (System.currentTimeMillis() - killedAt) / 1000.0, flink.describe(jobId));
                produce(producer, topics.events(), random, produced, 100);
            }
            int beforeLast = produced.get();
            produce(producer, topics.events(), random, produced, 300);
            int total = produced.get();
            try {
                outputs.awaitUntil(() -> distinct(scores) >= total, Duration.ofMinutes(3));
            } catch (AssertionError e) {
                throw new AssertionError(distinct(scores) + " of " + total + " events scored: job "
                        + flink.get("/jobs/" + jobId).path("state").asText() + "\n" + flink.logTails(), e);
            }
            outputs.pollFor(Duration.ofSeconds(3));

            assertThat(flink.get("/jobs/" + jobId).path("state").asText()).isEqualTo("RUNNING");
            assertThat(deadLetters).isEmpty();
            Map<String, Integer> times = new HashMap<>();
            for (Score s : scores) {
                times.merge(s.getEventId(), 1, Integer::sum);
            }
            assertThat(times).as("every event id exactly once (read_committed)").hasSize(total)
                    .allSatisfy((event, n) -> assertThat(n).as(event).isEqualTo(1));
            Set<String> last = new java.util.HashSet<>();
            for (int i = beforeLast; i < total; i++) {
                last.add("k-" + i);
            }
            assertThat(scores).filteredOn(s -> last.contains(s.getEventId()))
                    .as("after the recoveries the version served before them serves")
                    .allSatisfy(s -> assertThat(s.getModels().get(0).getVersion()).isEqualTo(2));
        } finally {
            flink.cancel(jobId);
        }
    }

    @Test
    void everyEventIsScoredExactlyOnceThroughABrokerRestart() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "broker-pipeline-");
        PipelineSpec spec = pipeline(dir, "broker");
        KafkaSpec.TopicNames topics = spec.kafka().topics();
        String servers = kafka.bootstrapServers();
        String jobId = submit(spec, servers);
        publish(spec, servers, 1, 0.05f);
        AtomicInteger produced = new AtomicInteger();
        Random random = new Random(19);
        try {
            try (KafkaProducer<byte[], byte[]> producer = CommittedTopics.producer(servers)) {
                produce(producer, topics.events(), random, produced, 500);
            }
            awaitScored(servers, topics, 500);
            kafka.stop();
            // an outage of ten seconds: the job's clients retry, checkpoints cannot commit, tasks may fail and restart
            await().pollDelay(OUTAGE).atMost(OUTAGE.plusSeconds(1)).until(() -> true);
            kafka.start();
            try (KafkaProducer<byte[], byte[]> producer = CommittedTopics.producer(servers)) {
                produce(producer, topics.events(), random, produced, 500);
            }
            int total = produced.get();
            List<Score> scores = awaitScored(servers, topics, total);
            Map<String, Integer> times = new HashMap<>();
            for (Score s : scores) {
                times.merge(s.getEventId(), 1, Integer::sum);
            }
            assertThat(times).as("every event id exactly once (read_committed)").hasSize(total)
                    .allSatisfy((event, n) -> assertThat(n).as(event).isEqualTo(1));
            assertThat(flink.get("/jobs/" + jobId).path("state").asText()).isEqualTo("RUNNING");
        } finally {
            flink.cancel(jobId);
        }
    }

    /** Reads the scores from the beginning until {@code count} distinct events are scored (and a little longer). */
    private static List<Score> awaitScored(String servers, KafkaSpec.TopicNames topics, int count) throws Exception {
        List<Score> scores = new CopyOnWriteArrayList<>();
        AvroSerde<Score> serde = AvroSerde.of(Score.class);
        try (CommittedTopics outputs = new CommittedTopics(servers, List.of(topics.scores()),
                r -> scores.add(serde.decode(r.value())))) {
            try {
                outputs.awaitUntil(() -> distinct(scores) >= count, Duration.ofMinutes(3));
            } catch (AssertionError e) {
                throw new AssertionError(distinct(scores) + " of " + count + " events scored\n" + flink.logTails(), e);
            }
            outputs.pollFor(Duration.ofSeconds(3));
        }
        return scores;
    }

    /** Submits the pipeline with the real command; its job id. */
    private static String submit(PipelineSpec spec, String servers) {
        RiffleInvocation submitted = RiffleInvocation.run("submit", "--config", spec.file().toString(),
                "--jobmanager", flink.restAddress(), "--bootstrap-servers", servers);
        assertThat(submitted.code()).as(submitted.err()).isZero();
        Matcher id = Pattern.compile("job id\\s+([0-9a-f]{32})").matcher(submitted.out());
        assertThat(id.find()).as(submitted.out()).isTrue();
        return id.group(1);
    }

    private static long distinct(List<Score> scores) {
        return scores.stream().map(Score::getEventId).distinct().count();
    }

    private static void produce(KafkaProducer<byte[], byte[]> producer, String topic, Random random, AtomicInteger n,
                                int count) {
        long now = System.currentTimeMillis();
        for (int k = 0; k < count; k++) {
            int i = n.getAndIncrement();
            String json = SubmitCommandITCase.event(i, random, now - (count - k) * 5L).replace("\"s-" + i + "\"",
                    "\"k-" + i + "\"");
            producer.send(new ProducerRecord<>(topic, ("dev-" + i % 20).getBytes(StandardCharsets.UTF_8),
                    json.getBytes(StandardCharsets.UTF_8)));
        }
        producer.flush();
    }



    /** A binary model for the file's features, every weight {@code w}, as {@code version} of "generic". */
    private static void publish(PipelineSpec spec, String servers, int version, float w) {
        int n = spec.features().count();
        float[][] weights = new float[n][1];
        for (float[] row : weights) {
            row[0] = w;
        }
        byte[] onnx = OnnxGraphs.denseNetwork(new float[][][] {weights}, new float[][] {{0f}}, OutputActivation.SIGMOID);
        ModelVersion mv = ModelVersion.newBuilder(ModelVersions.fromOnnx(onnx, "generic", version, ModelTask.BINARY, n))
                .setFeatureSpecHash(spec.features().hash()).setFeatureNames(spec.features().names()).build();
        try (ModelRegistry registry = new ModelRegistry(servers, spec.kafka().topics().models())) {
            registry.publish(mv);
        }
    }
}
