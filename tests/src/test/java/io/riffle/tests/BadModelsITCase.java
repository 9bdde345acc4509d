package io.riffle.tests;

import ai.onnx.proto.OnnxMl;
import io.riffle.cli.KafkaTopics;
import io.riffle.embedded.EmbeddedKafka;
import io.riffle.jobs.PipelineConfigs;
import io.riffle.jobs.PipelineScoringJob;
import io.riffle.jobs.ScoringOptions;
import io.riffle.jobs.testing.CommittedTopics;
import io.riffle.jobs.testing.StrictEnvironment;
import io.riffle.modelops.onnx.OnnxGraphBuilder;
import io.riffle.modelops.onnx.OnnxGraphs;
import io.riffle.modelops.onnx.OutputActivation;
import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.modelops.registry.ModelVersions;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.testing.TestModels;
import io.riffle.modelops.trust.ModelSigner;
import io.riffle.modelops.trust.SigningKeys;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.ModelEventKind;
import io.riffle.schemas.ModelScore;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
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
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bad-model catalogue: a running scoring job whose pipeline file trusts one key is sent, one
 * after another while valid events keep streaming, model versions that are broken, dangerous or
 * not trusted. Each must be REJECTED with a reason naming its cause, and every event must be
 * scored — by the signed v1 only, with no gap.
 */
class BadModelsITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /** The scorer's size limit in this test, so an oversize model fits a Kafka record. */
    private static final MemorySize MAX_MODEL = MemorySize.parse("64kb");

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

    /** One entry of the catalogue: the version to publish and what its rejection must say. */
    private record BadModel(String what, ModelVersion version, String reason) { }

    @Test
    void everyBadVersionIsRejectedWhileV1KeepsScoringEveryEvent(@TempDir Path dir) throws Exception {
        PipelineSpec spec = PipelineSpec.load(pipelineTrustingOneKey(dir));
        KafkaSpec.TopicNames topics = spec.kafka().topics();
        String servers = kafka.bootstrapServers();
        KafkaTopics.ensureFor(servers, 2, topics);
        assertThat(spec.scoring().trustedKeys()).hasSize(1);

        Configuration conf = PipelineConfigs.configuration(spec);
        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, servers);
        conf.set(ScoringOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
        conf.set(ScoringOptions.TRANSACTIONAL_ID_PREFIX, "it-bad-models");
        conf.set(ScoringOptions.MAX_MODEL_SIZE, MAX_MODEL);
        StreamExecutionEnvironment env = StrictEnvironment.create();   // bounded restarts, no Kryo
        new PipelineScoringJob(spec, conf).build(env);
        JobClient job = env.executeAsync("it-bad-models");

        int n = spec.features().count();
        String specHash = spec.features().hash();
        ModelSigner trusted = ModelSigner.fromFile(dir.resolve("keys/riffle.key"));
        ModelSigner stranger = new ModelSigner(SigningKeys.generate().getPrivate(), "stranger.key");
        ModelVersion v1 = trusted.sign(stamped(TestModels.binaryMlp("generic", 1, n, 1L), specHash));
        List<BadModel> catalogue = catalogue(v1, n, specHash, trusted, stranger);

        List<Score> scores = new CopyOnWriteArrayList<>();
        List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
        List<ModelEvent> modelEvents = new CopyOnWriteArrayList<>();
        AvroSerde<Score> scoreSerde = AvroSerde.of(Score.class);
        AvroSerde<DeadLetter> deadSerde = AvroSerde.of(DeadLetter.class);
        AvroSerde<ModelEvent> eventSerde = AvroSerde.of(ModelEvent.class);
        AtomicBoolean streaming = new AtomicBoolean(true);
        AtomicInteger produced = new AtomicInteger();
        Thread traffic = null;
        try (ModelRegistry registry = new ModelRegistry(servers, topics.models());
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
            registry.publish(v1);
            outputs.awaitUntil(() -> has(modelEvents, "generic", 1, ModelEventKind.LOADED), Duration.ofMinutes(2));

            // Valid events all the while the bad versions arrive, ~200 per second.
            traffic = new Thread(() -> {
                Random random = new Random(11);
                while (streaming.get()) {
                    int i = produced.get();
                    String json = GenericPipelineITCase.event(i, random, System.currentTimeMillis());
                    producer.send(new ProducerRecord<>(topics.events(), utf8("dev-" + i % 40), utf8(json)));
                    produced.incrementAndGet();
                    if (i % 20 == 19) {
                        producer.flush();
                        sleepQuietly(100);
                    }
                }
                producer.flush();
            }, "bad-models-traffic");
            traffic.start();

            Map<String, String> reasons = new LinkedHashMap<>();
            for (BadModel bad : catalogue) {
                ModelVersion mv = bad.version();
                registry.publish(mv);
                outputs.awaitUntil(() -> has(modelEvents, mv.getName(), mv.getVersion(), ModelEventKind.REJECTED),
                        Duration.ofMinutes(1));
                String reason = modelEvents.stream().filter(e -> e.getModelName().equals(mv.getName())
                                && e.getVersion() == mv.getVersion() && e.getKind() == ModelEventKind.REJECTED)
                        .findFirst().orElseThrow().getReason();
                reasons.put(bad.what(), reason);
                assertThat(reason).as("rejection of %s", bad.what()).contains(bad.reason());
            }
            int before = produced.get();
            outputs.awaitUntil(() -> produced.get() > before + 200, Duration.ofMinutes(1));
            streaming.set(false);
            traffic.join(30_000);
            int events = produced.get();
            assertThat(events).isGreaterThan(catalogue.size() * 10);

            outputs.awaitUntil(() -> scores.size() + deadLetters.size() >= events, Duration.ofMinutes(2));
            outputs.pollFor(Duration.ofSeconds(2));

            // Nothing lost, nothing twice, and every score is v1's.
            assertThat(deadLetters).isEmpty();
            assertThat(scores).hasSize(events);
            Set<String> ids = new HashSet<>();
            for (Score s : scores) {
                assertThat(ids.add(s.getEventId())).as("scored once: %s", s.getEventId()).isTrue();
                assertThat(s.getModels()).extracting(ModelScore::getName, ModelScore::getVersion)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple("generic", 1));
            }
            for (int i = 0; i < events; i++) {
                assertThat(ids).contains("g-" + i);
            }
            assertThat(modelEvents).filteredOn(e -> e.getKind() == ModelEventKind.LOADED)
                    .extracting(ModelEvent::getModelName, ModelEvent::getVersion)
                    .containsOnly(org.assertj.core.groups.Tuple.tuple("generic", 1));
            assertThat(reasons).hasSize(catalogue.size());
        } finally {
            streaming.set(false);
            if (traffic != null) {
                traffic.join(30_000);
            }
            job.cancel().get();
        }
    }

    /**
     * The bad versions, numbered after v1, each signed by the trusted key (so what is wrong with
     * it is what the scorer must find) unless its fault is the signature itself.
     */
    private static List<BadModel> catalogue(ModelVersion v1, int n, String specHash, ModelSigner trusted,
                                            ModelSigner stranger) {
        byte[] good = ModelVersions.onnxBytes(v1);
        List<BadModel> all = new ArrayList<>();
        int[] version = {2};
        java.util.function.BiFunction<byte[], String, ModelVersion> signed = (onnx, name) ->
                trusted.sign(stamped(ModelVersions.fromOnnx(onnx, name, version[0]++, ModelTask.BINARY, n), specHash));

        all.add(new BadModel("garbage bytes", signed.apply(utf8("this is not an ONNX model"), "generic"),
                "ONNX Runtime could not load it"));
        all.add(new BadModel("truncated ONNX", signed.apply(Arrays.copyOf(good, good.length / 2), "generic"),
                "ONNX Runtime could not load it"));
        all.add(new BadModel("wrong input width", signed.apply(TestModels.mlp(2L, OutputActivation.SIGMOID, n + 3, 8, 1),
                "generic"), "has shape [batch, " + (n + 3) + "] but float [batch, " + n + "] is expected"));
        all.add(new BadModel("int64 output", signed.apply(int64Output(n), "generic"),
                "has element type INT64, expected float"));
        all.add(new BadModel("NaN weights", signed.apply(nanWeights(n), "generic"), "non-finite output NaN"));
        all.add(new BadModel("custom-op domain", signed.apply(customOp(n), "generic"),
                "com.example.fraudops:SecretScore(-1) is not a registered function/op"));
        all.add(new BadModel("spec mismatch", trusted.sign(ModelVersion.newBuilder(
                        ModelVersions.fromOnnx(good, "generic", version[0]++, ModelTask.BINARY, n))
                .setFeatureSpecHash("0".repeat(64)).build()), "feature spec hash mismatch"));
        all.add(new BadModel("no spec hash", trusted.sign(ModelVersions.fromOnnx(good, "generic", version[0]++,
                ModelTask.BINARY, n)), "no feature spec hash"));
        all.add(new BadModel("oversize", signed.apply(TestModels.mlp(3L, OutputActivation.SIGMOID, n, 2048, 1), "generic"),
                "above the size limit of " + MAX_MODEL.getBytes() + " bytes"));
        all.add(new BadModel("unsigned", stamped(ModelVersions.fromOnnx(good, "generic", version[0]++, ModelTask.BINARY, n),
                specHash), "unsigned, and this scorer trusts only signed versions"));
        all.add(new BadModel("signed by another key", stranger.sign(stamped(ModelVersions.fromOnnx(good, "generic",
                version[0]++, ModelTask.BINARY, n), specHash)), "signature does not verify with any trusted key"));
        ModelVersion loosened = ModelVersion.newBuilder(signed.apply(good, "generic")).setBlockThreshold(0.999).build();
        all.add(new BadModel("threshold changed after signing", loosened, "signature does not verify with any trusted key"));
        all.add(new BadModel("bad thresholds", trusted.sign(ModelVersion.newBuilder(stamped(ModelVersions.fromOnnx(good,
                        "generic", version[0]++, ModelTask.BINARY, n), specHash))
                .setReviewThreshold(0.9).setBlockThreshold(0.5).build()), "review is above block"));
        all.add(new BadModel("a name that may not decide", trusted.sign(stamped(ModelVersions.fromOnnx(good, "intruder", 1,
                ModelTask.BINARY, n), specHash)), "model 'intruder' is not one of this pipeline's models (generic)"));
        return all;
    }

    private static ModelVersion stamped(ModelVersion mv, String specHash) {
        return ModelVersion.newBuilder(mv).setFeatureSpecHash(specHash).build();
    }

    /** ReduceSum then Cast to int64: a graph ONNX Runtime runs, whose output is not a float. */
    private static byte[] int64Output(int n) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("int64");
        String x = g.input(OnnxGraphs.INPUT, OnnxGraphBuilder.BATCH, n);
        String sum = g.op("ReduceSum", Map.of("keepdims", 1L), x, g.longs("axes", new long[] {1}, 1));
        String cast = g.op("Cast", Map.of("to", (long) OnnxMl.TensorProto.DataType.INT64_VALUE), sum);
        g.output(cast, OnnxGraphs.OUTPUT, OnnxGraphBuilder.BATCH, 1);
        try {
            OnnxMl.ModelProto.Builder model = OnnxMl.ModelProto.parseFrom(g.build()).toBuilder();
            model.getGraphBuilder().getOutputBuilder(0).getTypeBuilder().getTensorTypeBuilder()
                    .setElemType(OnnxMl.TensorProto.DataType.INT64_VALUE);
            return model.build().toByteArray();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A dense network with one NaN weight: NaN * 0 is NaN, so even the zeros row scores NaN. */
    private static byte[] nanWeights(int n) {
        float[][] w1 = new float[n][4];
        for (float[] row : w1) {
            Arrays.fill(row, 0.1f);
        }
        w1[0][0] = Float.NaN;
        float[][] w2 = {{0.5f}, {0.5f}, {0.5f}, {0.5f}};
        return OnnxGraphs.denseNetwork(new float[][][] {w1, w2}, new float[][] {new float[4], new float[1]},
                OutputActivation.SIGMOID);
    }

    /** A node of an operator domain no scorer has: code the publisher expects the scorer to load. */
    private static byte[] customOp(int n) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("custom");
        String x = g.input(OnnxGraphs.INPUT, OnnxGraphBuilder.BATCH, n);
        String odd = g.opInDomain("com.example.fraudops", 1, "SecretScore", Map.of(), x);
        g.output(g.op("Sigmoid", odd), OnnxGraphs.OUTPUT, OnnxGraphBuilder.BATCH, 1);
        return g.build();
    }

    /** generic-30.yaml and its schema in {@code dir}, with a fresh key pair whose public half the scorer trusts. */
    private static Path pipelineTrustingOneKey(Path dir) throws Exception {
        Path shipped = Path.of("../pipelines");
        Files.copy(shipped.resolve("generic-30.avsc"), dir.resolve("generic-30.avsc"));
        SigningKeys.write(SigningKeys.generate(), dir.resolve("keys/riffle"));
        // The scoring section is the file's last: these keys continue it.
        String yaml = Files.readString(shipped.resolve("generic-30.yaml")).stripTrailing()
                + "\n  trusted-keys: [keys/riffle.pub]\n  require-spec-hash: true\n";
        Path file = dir.resolve("generic-30.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static boolean has(List<ModelEvent> events, String name, int version, ModelEventKind kind) {
        return events.stream().anyMatch(e -> e.getModelName().equals(name) && e.getVersion() == version
                && e.getKind() == kind);
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
