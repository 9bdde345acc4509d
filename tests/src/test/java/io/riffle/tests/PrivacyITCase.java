package io.riffle.tests;

import io.riffle.embedded.EmbeddedKafka;
import io.riffle.jobs.testing.CommittedTopics;
import io.riffle.modelops.privacy.PiiHasher;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.validation.Digests;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.Score;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.riffle.tests.NothingLostITCase.json;
import static io.riffle.tests.NothingLostITCase.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pipeline with {@code privacy: {pii: [region], key: ...}}: the same events (valid ones, a
 * duplicate and a number too large for a float, which become dead letters in the scorer, and two
 * that cannot be decoded) go through it and through the same pipeline without privacy, on a real
 * Kafka broker and Flink cluster. No score, alert, feature vector or dead letter of the private one
 * carries a clear device id or region, in its key, value or message; each device's token is the
 * HMAC-SHA256 of its id computed here independently, the same for every event of the device; and
 * every event scores exactly as without privacy (the features are computed on the clear values).
 */
class PrivacyITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    static final String KEY = "privacy-itcase-hmac-key-0123456789";
    static final List<String> REGIONS = List.of("north", "south", "east", "west");

    static EmbeddedKafka kafka;

    @TempDir
    static Path dir;

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

    static PipelineSpec pipeline(String name, boolean privacy) throws Exception {
        return ScoringJobs.pipeline(dir, name, "json", "exactly-once", 0.3,
                privacy ? "privacy:\n  pii: [region]\n  key: " + KEY + "\n" : "");
    }

    /** What a job wrote, as read back with read_committed. */
    static final class Outputs {
        final List<ConsumerRecord<byte[], byte[]>> all = new CopyOnWriteArrayList<>();
        final List<Score> scores = new CopyOnWriteArrayList<>();
        final List<Score> alerts = new CopyOnWriteArrayList<>();
        final List<FeatureVector> features = new CopyOnWriteArrayList<>();
        final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
    }

    @Test
    void nothingLeavesTheScorerInTheClearAndScoresAreUnchanged() throws Exception {
        PipelineSpec plain = pipeline("plain", false);
        PipelineSpec masked = pipeline("masked", true);
        assertThat(masked.features().hash()).isEqualTo(plain.features().hash());
        assertThat(masked.toString()).doesNotContain(KEY);

        // The same records for both: 240 valid events of 20 devices, then the bad ones, then 40 more.
        long now = System.currentTimeMillis();
        Random random = new Random(21);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        Map<String, String> deviceOf = new HashMap<>();
        int n = 0;
        for (; n < 240; n++) {
            records.add(valid(n, random, now - 60_000 + n * 10L, deviceOf));
        }
        byte[] tooLarge = utf8(json(5_000, random, now - 30_000).replace("\"deviceId\":\"dev-0\"", "\"deviceId\":\"dev-7\"")
                .replaceFirst("\"x02\":[^,]*", "\"x02\":1e300"));
        byte[] notJson = utf8("dev-7 north: this is not json");
        byte[] regionOfAWrongType = utf8(json(5_001, random, now - 30_000)
                .replace("\"deviceId\":\"dev-1\"", "\"deviceId\":\"dev-3\"")
                .replace("\"region\":\"south\"", "\"region\":{\"city\":\"south\"}"));
        assertThat(new String(regionOfAWrongType, StandardCharsets.UTF_8)).contains("{\"city\":\"south\"}", "dev-3");
        records.add(new ProducerRecord<>(plain.kafka().topics().events(), utf8("dev-7"), tooLarge));
        records.add(new ProducerRecord<>(plain.kafka().topics().events(), utf8("dev-7"), notJson));
        records.add(new ProducerRecord<>(plain.kafka().topics().events(), utf8("dev-3"), regionOfAWrongType));
        records.add(new ProducerRecord<>(plain.kafka().topics().events(), records.get(10).key(), records.get(10).value()));
        int bad = 4;
        for (int end = n + 40; n < end; n++) {
            records.add(valid(n, random, now - 20_000 + n * 10L, deviceOf));
        }
        int validEvents = deviceOf.size();

        Outputs clear = run(plain, records, validEvents, bad);
        Outputs hashed = run(masked, records, validEvents, bad);

        // 1. Nothing in the clear: neither a device id nor a region, in any key, value or message.
        assertThat(hashed.all).hasSizeGreaterThan(validEvents * 2);
        for (ConsumerRecord<byte[], byte[]> r : hashed.all) {
            String seen = r.topic() + " " + latin1(r.key()) + " " + latin1(r.value());
            assertThat(seen).as(r.topic() + "/" + r.partition() + "@" + r.offset()).doesNotContain("dev-");
            for (String region : REGIONS) {
                assertThat(seen).as(r.topic() + "/" + r.partition() + "@" + r.offset()).doesNotContain(region);
            }
        }
        assertThat(clear.all).as("(the check above would see them)")
                .anySatisfy(r -> assertThat(latin1(r.value())).contains("dev-"));

        // 2. Tokens are HMAC-SHA256(key, clear value), the same for every event of a device.
        Map<String, String> tokenOfDevice = new HashMap<>();
        for (Score s : hashed.scores) {
            String device = deviceOf.get(s.getEventId());
            assertThat(s.getEntityId()).as(s.getEventId()).isEqualTo(hmac(device));
            String before = tokenOfDevice.putIfAbsent(device, s.getEntityId());
            assertThat(before == null || before.equals(s.getEntityId())).isTrue();
        }
        assertThat(tokenOfDevice).hasSize(20);
        assertThat(hashed.features).hasSize(validEvents)
                .allSatisfy(f -> assertThat(f.getEntityId()).isEqualTo(hmac(deviceOf.get(f.getEventId()))));
        assertThat(hashed.alerts).as("the model flags some events").isNotEmpty()
                .allSatisfy(a -> assertThat(a.getEntityId()).isEqualTo(hmac(deviceOf.get(a.getEventId()))));
        assertThat(hashed.alerts).hasSameSizeAs(clear.alerts);

        // 3. Dead letters: the key's token; the event with tokens, or (undecodable) only its size and SHA-256.
        assertThat(hashed.deadLetters).hasSize(bad);
        for (DeadLetter d : hashed.deadLetters) {
            String message = d.getErrorMessage();
            String key = StandardCharsets.UTF_8.decode(d.getKey()).toString();
            if (message.contains("does not fit a float")) {
                assertThat(key).isEqualTo(hmac("dev-7"));
                String value = StandardCharsets.UTF_8.decode(d.getValue()).toString();
                assertThat(value).contains("\"deviceId\": \"" + hmac("dev-7") + "\"",
                        "\"region\": \"" + hmac("north") + "\"", "\"eventId\": \"p-5000\"");
            } else if (message.contains("duplicate event id")) {
                assertThat(key).isEqualTo(hmac("dev-10"));
                assertThat(message).contains("eventId=p-10", "deviceId=" + hmac("dev-10"));
                assertThat(StandardCharsets.UTF_8.decode(d.getValue()).toString()).contains(hmac("dev-10"));
            } else if (message.contains("field 'region'")) {
                assertThat(key).isEqualTo(hmac("dev-3"));
                assertThat(message).contains("personal data").doesNotContain("city");
                assertWithheld(d, regionOfAWrongType);
            } else {
                assertThat(message).contains("cannot decode GenericEvent from JSON");
                assertThat(key).isEqualTo(hmac("dev-7"));
                assertWithheld(d, notJson);
            }
        }
        assertThat(clear.deadLetters).hasSize(bad)
                .anySatisfy(d -> assertThat(d.getErrorMessage()).contains("deviceId=dev-10"));

        // 4. Features computed on the clear values: the same score for every event.
        Map<String, Float> clearScores = new HashMap<>();
        for (Score s : clear.scores) {
            clearScores.put(s.getEventId(), s.getModels().get(0).getValue());
        }
        assertThat(hashed.scores).hasSize(validEvents);
        assertThat(clearScores).hasSize(validEvents);
        for (Score s : hashed.scores) {
            // (equal up to float rounding: the two jobs may batch the events differently)
            assertThat(s.getModels().get(0).getValue()).as(s.getEventId())
                    .isCloseTo(clearScores.get(s.getEventId()), org.assertj.core.data.Offset.offset(1e-6f));
            assertThat(s.getDecision()).isNotNull();
        }
    }

    private static void assertWithheld(DeadLetter d, byte[] original) {
        assertThat(d.getValue()).as("an undecodable record's bytes are not kept").isNull();
        assertThat(d.getSize()).isEqualTo(original.length);
        assertThat(d.getSha256()).isEqualTo(Digests.sha256Hex(original));
    }

    private static ProducerRecord<byte[], byte[]> valid(int i, Random random, long time, Map<String, String> deviceOf) {
        deviceOf.put("p-" + i, "dev-" + i % 20);
        return new ProducerRecord<>("", utf8("dev-" + i % 20), utf8(json(i, random, time)));
    }

    /** Starts {@code spec}'s scoring job, sends {@code records} to its events topic and reads everything it writes. */
    private static Outputs run(PipelineSpec spec, List<ProducerRecord<byte[], byte[]>> records, int validEvents, int bad)
            throws Exception {
        KafkaSpec.TopicNames topics = spec.kafka().topics();
        String servers = kafka.bootstrapServers();
        JobClient job = ScoringJobs.startWithoutRestarts(spec, kafka.bootstrapServers());
        Outputs out = new Outputs();
        AvroSerde<Score> scoreSerde = AvroSerde.of(Score.class);
        AvroSerde<FeatureVector> featureSerde = AvroSerde.of(FeatureVector.class);
        AvroSerde<DeadLetter> deadSerde = AvroSerde.of(DeadLetter.class);
        try {
            try (KafkaProducer<byte[], byte[]> producer = NothingLostITCase.producer(servers)) {
                for (ProducerRecord<byte[], byte[]> r : records) {
                    producer.send(new ProducerRecord<>(topics.events(), r.key(), r.value())).get();
                }
            }
            try (CommittedTopics outputs = new CommittedTopics(servers, List.of(topics.scores(), topics.alerts(),
                    topics.features(), topics.deadLetters()), r -> {
                out.all.add(r);
                if (r.topic().equals(topics.scores())) {
                    out.scores.add(scoreSerde.decode(r.value()));
                } else if (r.topic().equals(topics.alerts())) {
                    out.alerts.add(scoreSerde.decode(r.value()));
                } else if (r.topic().equals(topics.features())) {
                    out.features.add(featureSerde.decode(r.value()));
                } else {
                    out.deadLetters.add(deadSerde.decode(r.value()));
                }
            })) {
                outputs.awaitUntil(() -> out.scores.size() >= validEvents && out.deadLetters.size() >= bad
                        && out.features.size() >= validEvents, Duration.ofMinutes(2));
                outputs.pollFor(Duration.ofSeconds(2));
            }
        } finally {
            job.cancel().get();
        }
        assertThat(out.scores).as(spec.name() + ": every valid event scored once").hasSize(validEvents);
        assertThat(out.deadLetters).as(spec.name()).hasSize(bad);
        return out;
    }


    /** HMAC-SHA256 straight from the JDK, not through {@link PiiHasher}. */
    static String hmac(String clear) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(clear.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String latin1(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
