package io.riffle.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riffle.embedded.EmbeddedKafka;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.schemas.Decision;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.ModelEventKind;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The dashboard against a real broker: records written to the topics show up in the page's snapshot and stream. */
class DashboardITCase {
    private static EmbeddedKafka kafka;
    private static final KafkaSpec.TopicNames TOPICS = KafkaSpec.TopicNames.defaults();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void broker() {
        kafka = EmbeddedKafka.start();
        kafka.createTopic(TOPICS.scores(), 1, Map.of());
        kafka.createTopic(TOPICS.models(), 1, Map.of("cleanup.policy", "compact"));
        kafka.createTopic(TOPICS.modelEvents(), 1, Map.of());
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void topicsBecomeTheSnapshotAndTheStreamAndThePageIsServedOffline() throws Exception {
        DashboardOptions options = new DashboardOptions(kafka.bootstrapServers(), Map.of(), TOPICS, null, null, 0.2,
                List.of(), null, "127.0.0.1", 0, true, Duration.ofMinutes(5), true);
        try (Dashboard dashboard = Dashboard.start(options);
             KafkaProducer<byte[], byte[]> producer = producer()) {
            URI base = dashboard.url();
            assertThat(base.getHost()).isEqualTo("127.0.0.1");
            long now = System.currentTimeMillis();
            AvroSerde<Score> scores = AvroSerde.of(Score.class);
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>(TOPICS.scores(), scores.encode(
                        Records.score("e" + i, "fraud", 3, 0.9f, i % 5 == 0 ? Decision.BLOCK : Decision.ALLOW, now, 7))));
            }
            producer.send(new ProducerRecord<>(TOPICS.models(), "fraud".getBytes(StandardCharsets.UTF_8),
                    AvroSerde.of(ModelVersion.class).encode(Records.version("fraud", 3, 0.93, null, now))));
            producer.send(new ProducerRecord<>(TOPICS.modelEvents(), AvroSerde.of(ModelEvent.class).encode(
                    Records.event("fraud", 4, ModelEventKind.REJECTED, "sha256 does not match the bytes", "scorer-0", now))));
            producer.send(new ProducerRecord<>(TOPICS.scores(), new byte[] {1, 2, 3}));   // unreadable: skipped
            producer.flush();

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode snap = json.readTree(get(base.resolve("/api/snapshot")).body());
                assertThat(snap.path("totals").path("scores").asLong()).isEqualTo(50);
                assertThat(snap.path("decisions").path("BLOCK").asLong()).isEqualTo(10);
                assertThat(snap.path("timeline").toString()).contains("sha256 does not match the bytes");
                assertThat(snap.path("versions").toString()).contains("\"holdoutAuc\":0.93");
            });

            HttpResponse<String> page = get(base);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("/vendor/uPlot.iife.min.js").doesNotContain("https://");
            HttpResponse<String> lib = get(base.resolve("/vendor/uPlot.iife.min.js"));
            assertThat(lib.statusCode()).isEqualTo(200);
            assertThat(lib.body()).contains("uPlot");
            assertThat(get(base.resolve("/dashboard.js")).statusCode()).isEqualTo(200);
            assertThat(get(base.resolve("/nope")).statusCode()).isEqualTo(404);
            assertThat(get(base.resolve("/healthz")).statusCode()).isEqualTo(200);

            HttpResponse<java.io.InputStream> stream = http.send(HttpRequest.newBuilder(base.resolve("/api/stream"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                long first = -1;
                int events = 0;
                for (String line; events < 2 && (line = r.readLine()) != null; ) {
                    if (line.startsWith("data: ")) {
                        JsonNode snap = json.readTree(line.substring(6));
                        assertThat(snap.path("totals").path("scores").asLong()).isEqualTo(50);
                        if (first >= 0) {
                            assertThat(snap.path("now").asLong()).as("the stream pushes fresh snapshots").isGreaterThan(first);
                        }
                        first = snap.path("now").asLong();
                        events++;
                    }
                }
                assertThat(events).isEqualTo(2);
            }
            assertThat(dashboard.healthLine()).contains("scores/s out");
        }
    }

    @Test
    void aTakenPortIsAnErrorThatSaysWhatToDoUnlessAnyPortWillDo() throws Exception {
        DashboardOptions options = new DashboardOptions(kafka.bootstrapServers(), Map.of(), TOPICS, null, null, 0.2,
                List.of(), null, "127.0.0.1", 0, false, Duration.ofMinutes(1), false);
        try (Dashboard first = Dashboard.start(options)) {
            int taken = first.url().getPort();
            try {
                Dashboard.start(options.withListener("127.0.0.1", taken, false)).close();
                throw new AssertionError("a second dashboard on a taken port started");
            } catch (java.net.BindException e) {
                assertThat(e.getMessage()).contains("taken").contains("--port");
            }
            try (Dashboard second = Dashboard.start(options.withListener("127.0.0.1", taken, true))) {
                assertThat(second.url().getPort()).isNotEqualTo(taken);
            }
        }
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer());
    }
}
