package io.riffle.cli;

import io.riffle.embedded.EmbeddedKafka;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code riffle submit} against a real Flink session cluster in JVMs of its own whose class path
 * has only Flink (see {@link FlinkSessionCluster}): the pipeline file's job is submitted with the
 * command's own code path, reaches RUNNING on the cluster, and scores the events produced to the
 * file's events topic with a published model — which it can only do if the shipped jars carry
 * Riffle, the Kafka connector, Avro and ONNX Runtime.
 */
class SubmitCommandITCase {
    private static final Path PIPELINE = Path.of("../pipelines/generic-30.yaml");

    static EmbeddedKafka kafka;
    static FlinkSessionCluster flink;

    @BeforeAll
    static void start() throws Exception {
        CompletableFuture<FlinkSessionCluster> cluster = CompletableFuture.supplyAsync(() -> {
            try {
                Path dir = Files.createDirectories(Path.of("target", "submit-itcase"));
                return FlinkSessionCluster.start(Files.createTempDirectory(dir, "cluster-"), 2, Duration.ofSeconds(60));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            kafka = EmbeddedKafka.start();
        } finally {
            flink = cluster.join();   // @AfterAll stops whatever started
        }
    }

    @AfterAll
    static void stop() {
        if (flink != null) {
            flink.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void theClusterHasOnlyFlinkOnItsClassPath() throws Exception {
        assertThat(flink.classPath()).isNotEmpty();
        assertThat(flink.shippedClassesOnClusterClassPath()).isEmpty();
    }

    @Test
    void submittedPipelineRunsOnTheRemoteClusterAndScoresEveryEvent() throws Exception {
        PipelineSpec spec = PipelineSpec.load(PIPELINE);
        KafkaSpec.TopicNames topics = spec.kafka().topics();
        String servers = kafka.bootstrapServers();

        RiffleInvocation submitted = RiffleInvocation.run("submit", "--config", PIPELINE.toString(),
                "--jobmanager", flink.restAddress(), "--bootstrap-servers", servers);
        assertThat(submitted.code()).as(submitted.err()).isZero();
        Matcher id = Pattern.compile("job id\\s+([0-9a-f]{32})").matcher(submitted.out());
        assertThat(id.find()).as(submitted.out()).isTrue();
        String jobId = id.group(1);
        assertThat(submitted.out()).contains("http://" + flink.restAddress()).contains("--trainers-only")
                .contains("riffle-stream-jobs").contains("kafka-clients").contains("onnxruntime")
                .doesNotContain("flink-runtime").doesNotContain("flink-core");

        try {
            try {
                await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(250))
                        .failFast(() -> Set.of("FAILED", "CANCELED", "FINISHED").contains(state(jobId)))
                        .until(() -> flink.allTasksRunning(jobId));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("the job's tasks did not all reach RUNNING: " + diagnostics(jobId), e);
            }

            // A second submission of the same pipeline is refused: it would share groups and transactional ids.
            RiffleInvocation twice = RiffleInvocation.run("submit", "--config", PIPELINE.toString(),
                    "--jobmanager", flink.restAddress(), "--bootstrap-servers", servers);
            assertThat(twice.code()).isEqualTo(1);
            assertThat(twice.err()).contains("already runs").contains(jobId);

            publishModel(spec, servers);
            int events = 400;
            try (KafkaProducer<byte[], byte[]> producer = CommittedTopics.producer(servers)) {
                Random random = new Random(11);
                long now = System.currentTimeMillis();
                for (int i = 0; i < events; i++) {
                    producer.send(new ProducerRecord<>(topics.events(), utf8("dev-" + i % 20),
                            utf8(event(i, random, now - (events - i) * 10L))));
                }
                producer.send(new ProducerRecord<>(topics.events(), utf8("bad"), utf8("not json")));
                producer.flush();
            }

            List<Score> scores = new CopyOnWriteArrayList<>();
            List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
            AvroSerde<Score> scoreSerde = AvroSerde.of(Score.class);
            AvroSerde<DeadLetter> deadSerde = AvroSerde.of(DeadLetter.class);
            try (CommittedTopics outputs = new CommittedTopics(servers, List.of(topics.scores(), topics.deadLetters()),
                    (ConsumerRecord<byte[], byte[]> r) -> {
                        if (r.topic().equals(topics.scores())) {
                            scores.add(scoreSerde.decode(r.value()));
                        } else {
                            deadLetters.add(deadSerde.decode(r.value()));
                        }
                    })) {
                try {
                    outputs.awaitUntil(() -> scores.size() + deadLetters.size() >= events + 1, Duration.ofSeconds(45));
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError(scores.size() + " scores, " + deadLetters.size() + " dead letters of "
                            + (events + 1) + " events: " + diagnostics(jobId), e);
                }
                outputs.pollFor(Duration.ofSeconds(1));
            }
            assertThat(deadLetters).hasSize(1);
            assertThat(scores).hasSize(events);
            Set<String> ids = new HashSet<>();
            for (Score s : scores) {
                assertThat(ids.add(s.getEventId())).isTrue();
                assertThat(s.getModels().get(0).getName()).isEqualTo("generic");
                assertThat(s.getModels().get(0).getVersion()).isEqualTo(1);
            }
        } finally {
            flink.cancel(jobId);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> state(jobId).equals("CANCELED") || state(jobId).equals("FAILED"));
        }
    }

    /** The job's state and exceptions, and the cluster's logs, for a failure message. */
    private static String diagnostics(String jobId) throws Exception {
        return "job " + state(jobId) + ", exceptions: " + flink.get("/jobs/" + jobId + "/exceptions") + "\n"
                + flink.logTails();
    }

    private static String state(String jobId) throws Exception {
        return flink.get("/jobs/" + jobId).path("state").asText();
    }


    /** A binary logistic model for the file's features, stamped with its spec hash, as v1 of "generic". */
    private static void publishModel(PipelineSpec spec, String servers) {
        int n = spec.features().count();
        float[][] w = new float[n][1];
        for (int i = 0; i < n; i++) {
            w[i][0] = 0.05f;
        }
        byte[] onnx = OnnxGraphs.denseNetwork(new float[][][] {w}, new float[][] {{0f}}, OutputActivation.SIGMOID);
        ModelVersion mv = ModelVersion.newBuilder(ModelVersions.fromOnnx(onnx, "generic", 1, ModelTask.BINARY, n))
                .setFeatureSpecHash(spec.features().hash())
                .setFeatureNames(spec.features().names())
                .setReviewThreshold(0.5f)
                .setBlockThreshold(0.9f)
                .build();
        try (ModelRegistry registry = new ModelRegistry(servers, spec.kafka().topics().models())) {
            registry.publish(mv);
        }
    }

    static String event(int i, Random random, long time) {
        StringBuilder json = new StringBuilder(String.format(Locale.ROOT,
                "{\"eventId\":\"s-%d\",\"deviceId\":\"dev-%d\",\"eventTime\":%d,\"region\":\"%s\"", i, i % 20, time,
                List.of("north", "south", "east", "west").get(i % 4)));
        for (int j = 0; j < 30; j++) {
            json.append(String.format(Locale.ROOT, ",\"x%02d\":%.4f", j, random.nextGaussian()));
        }
        return json.append('}').toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
