package io.riffle.tests;

import io.riffle.cli.KafkaTopics;
import io.riffle.embedded.EmbeddedKafka;
import io.riffle.jobs.PipelineConfigs;
import io.riffle.jobs.PipelineScoringJob;
import io.riffle.jobs.ScoringOptions;
import io.riffle.jobs.testing.CommittedTopics;
import io.riffle.modelops.engine.SessionCache;
import io.riffle.modelops.onnx.OutputActivation;
import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.modelops.registry.ModelVersions;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.testing.TestModels;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.ModelEventKind;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The body of {@link ModelSwapsITCase}, run in a JVM of its own so that its resident memory is
 * its own: an embedded broker and a Flink MiniCluster run a scoring job under a steady load while
 * {@code swaps} versions alternating between two ONNX models are published, each waited for until
 * every subtask has loaded it. Prints one {@code RESULT} line: open ONNX Runtime sessions and the
 * resident set size after {@code warmUp} swaps and at the end, and events in and scored.
 */
public final class ModelSwapsRun {
    private static final int PARALLELISM = 2;

    public static void main(String[] args) throws Exception {
        int swaps = Integer.parseInt(args[0]);
        int warmUp = Integer.parseInt(args[1]);
        Path dir = Files.createTempDirectory("riffle-swaps-");
        Path schema = Path.of("../pipelines/generic-30.avsc").toAbsolutePath().normalize();
        Files.writeString(dir.resolve("swaps.yaml"), """
                name: swaps
                kafka:
                  topics: {events: swaps.events, labels: swaps.labels, features: swaps.features, scores: swaps.scores,
                           alerts: swaps.alerts, training: swaps.training, models: swaps.models,
                           model-events: swaps.model-events, dead-letters: swaps.dead-letters}
                events:
                  schema: %s
                  format: json
                  key: deviceId
                  id: eventId
                  time: {field: eventTime, unit: epoch-millis}
                features:
                  fields: [{numeric: x00}, {numeric: x01}, {numeric: x02}, {numeric: x03}]
                  aggregates:
                    windows: [1m]
                    functions: [count, {mean: x00}]
                models:
                  - {name: generic, task: binary, trainer: {kind: logistic}, thresholds: {review: 0.5, block: 0.9}}
                scoring: {batch-size: 64, max-delay: 10ms, delivery: at-least-once, parallelism: %d}
                """.formatted(schema, PARALLELISM));
        PipelineSpec spec = PipelineSpec.load(dir.resolve("swaps.yaml"));
        KafkaSpec.TopicNames topics = spec.kafka().topics();
        int n = spec.features().count();
        byte[][] models = {TestModels.mlp(1, OutputActivation.SIGMOID, n, 32, 1),
                TestModels.mlp(2, OutputActivation.SIGMOID, n, 32, 1)};

        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            String servers = kafka.bootstrapServers();
            KafkaTopics.ensureFor(servers, PARALLELISM, topics);
            Configuration conf = PipelineConfigs.configuration(spec);
            conf.set(ScoringOptions.BOOTSTRAP_SERVERS, servers);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM);
            new PipelineScoringJob(spec, conf).build(env);
            JobClient job = env.executeAsync("swaps");

            AtomicBoolean loading = new AtomicBoolean(true);
            AtomicInteger sent = new AtomicInteger();
            Thread load = new Thread(() -> produce(servers, topics.events(), loading, sent), "swaps-load");
            AtomicInteger loaded = new AtomicInteger();
            AvroSerde<ModelEvent> events = AvroSerde.of(ModelEvent.class);
            AtomicInteger latestLoaded = new AtomicInteger();
            long rssWarm = -1;
            int sessionsWarm = -1;
            int sessionsMax = 0;
            try (ModelRegistry registry = new ModelRegistry(servers, topics.models());
                 CommittedTopics modelEvents = new CommittedTopics(servers, List.of(topics.modelEvents()), r -> {
                     ModelEvent e = events.decode(r.value());
                     if (e.getKind() == ModelEventKind.LOADED) {
                         loaded.incrementAndGet();
                     }
                 })) {
                for (int v = 1; v <= swaps + 1; v++) {
                    ModelVersion mv = ModelVersion.newBuilder(ModelVersions.fromOnnx(models[v % 2], "generic", v,
                            ModelTask.BINARY, n)).setFeatureSpecHash(spec.features().hash()).build();
                    registry.publish(mv);
                    int expected = v * PARALLELISM;
                    modelEvents.awaitUntil(() -> loaded.get() >= expected, Duration.ofSeconds(60));
                    latestLoaded.set(v);
                    sessionsMax = Math.max(sessionsMax, SessionCache.shared().openSessions());
                    if (v == 1) {
                        load.start();
                    }
                    if (v == warmUp + 1) {
                        System.gc();
                        rssWarm = rssBytes();
                        sessionsWarm = SessionCache.shared().openSessions();
                    }
                }
                System.gc();
                long rssEnd = rssBytes();
                int sessionsEnd = SessionCache.shared().openSessions();
                loading.set(false);
                load.join();
                System.out.printf("RESULT swaps=%d loaded=%d rssWarm=%d rssEnd=%d sessionsWarm=%d sessionsEnd=%d "
                                + "sessionsMax=%d sent=%d%n", swaps, latestLoaded.get() - 1, rssWarm, rssEnd, sessionsWarm,
                        sessionsEnd, sessionsMax, sent.get());
            } finally {
                loading.set(false);
                job.cancel().get();
            }
        }
        System.exit(0);
    }

    /** Events at about 1,000 per second until told to stop. */
    private static void produce(String servers, String topic, AtomicBoolean loading, AtomicInteger sent) {
        Random random = new Random(3);
        try (KafkaProducer<byte[], byte[]> producer = CommittedTopics.producer(servers)) {
            while (loading.get()) {
                long now = System.currentTimeMillis();
                for (int k = 0; k < 100; k++) {
                    int i = sent.getAndIncrement();
                    String json = SubmitEvents.event(i, random, now);
                    producer.send(new ProducerRecord<>(topic, ("dev-" + i % 50).getBytes(StandardCharsets.UTF_8),
                            json.getBytes(StandardCharsets.UTF_8)));
                }
                producer.flush();
                try {
                    Thread.sleep(100);   // a pace, not a wait for something: ~1,000 events/s
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** This process's resident set size (Linux {@code /proc/self/status} VmRSS). */
    static long rssBytes() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    /** JSON events of the generic-30 schema. */
    static final class SubmitEvents {
        static String event(int i, Random random, long time) {
            StringBuilder json = new StringBuilder(String.format(java.util.Locale.ROOT,
                    "{\"eventId\":\"w-%d\",\"deviceId\":\"dev-%d\",\"eventTime\":%d,\"region\":\"north\"", i, i % 50,
                    time));
            for (int j = 0; j < 30; j++) {
                json.append(String.format(java.util.Locale.ROOT, ",\"x%02d\":%.4f", j, random.nextGaussian()));
            }
            return json.append('}').toString();
        }
    }
}
