package io.riffle.tests;

import io.riffle.embedded.EmbeddedKafka;
import io.riffle.jobs.testing.CommittedTopics;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.Score;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Nothing is lost to bad input or to the broker's retention.
 * <ul>
 *   <li>A catalogue of malformed events — for a JSON and for an Avro events topic — fed into a
 *       running scoring job between valid events, with no restart allowed (restart strategy
 *       "none": a record that failed a task would fail the job). Then: every valid event is
 *       scored exactly once (read with read_committed), every bad one is dead-lettered exactly
 *       once with a reason naming the field or cause, and in == scores + dead letters.</li>
 *   <li>A replay of month-old events (a backfill): every score and feature vector is still there
 *       after the broker's retention check has run (every second here) and has deleted a record
 *       stamped with a month-old time.</li>
 * </ul>
 */
class NothingLostITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static EmbeddedKafka kafka;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start(0, Map.of("log.retention.check.interval.ms", "1000"));
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** One malformed record: what it is, its bytes (null: a tombstone) and what its dead letter must say. */
    record Bad(String kind, byte[] key, byte[] value, String... reason) {}


    static PipelineSpec pipeline(String name, String format, String delivery) throws Exception {
        return ScoringJobs.pipeline(dir, name, format, delivery, 0.5, "");
    }

    @Test
    void jsonPoisonIsDeadLetteredOnceAndValidEventsAreScoredOnce() throws Exception {
        PipelineSpec spec = pipeline("poison-json", "json", "exactly-once");
        long now = System.currentTimeMillis();
        Random random = new Random(11);
        // (an id no valid event has: a bad record with a valid one's id would be a duplicate first)
        String valid = json(100_000, random, now);
        byte[] dev = utf8("dev-1");
        List<Bad> bad = List.of(
                new Bad("not JSON", dev, utf8("this is not json"), "cannot decode GenericEvent from JSON"),
                new Bad("truncated JSON", dev, utf8(valid.substring(0, valid.length() / 2)), "cannot decode GenericEvent from JSON"),
                new Bad("null value", dev, null, "no value"),
                new Bad("empty value", dev, new byte[0], "GenericEvent", "expected an object"),
                new Bad("missing field", dev, utf8(valid.replaceFirst(",\"x03\":[^,]*", "")), "'x03'", "missing"),
                new Bad("wrong type", dev, utf8(valid.replaceFirst("\"x01\":[^,]*", "\"x01\":\"seven\"")), "'x01'", "expected a number"),
                new Bad("deep nesting", dev, utf8(valid.replace("}", ",\"deep\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}")),
                        "nesting depth"),
                new Bad("empty entity key", utf8(""), utf8(valid.replace("\"deviceId\":\"dev-0\"", "\"deviceId\":\"\"")), "'deviceId'", "empty"),
                new Bad("entity key of a wrong type", dev, utf8(valid.replace("\"deviceId\":\"dev-0\"", "\"deviceId\":{\"a\":1}")), "'deviceId'", "expected a string"),
                new Bad("missing event id", dev, utf8(valid.replaceFirst("\"eventId\":\"[^\"]*\",", "")), "'eventId'", "missing"),
                new Bad("zero event time", dev, utf8(withTime(valid, "0")), "'eventTime'", "not after 1970"),
                new Bad("negative event time", dev, utf8(withTime(valid, "-5")), "'eventTime'", "not after 1970"),
                new Bad("unparsable event time", dev, utf8(withTime(valid, "\"yesterday\"")), "'eventTime'", "yesterday"),
                new Bad("event time far in the future", dev, utf8(withTime(valid, String.valueOf(now + Duration.ofDays(30).toMillis()))),
                        "'eventTime'", "max-future"),
                new Bad("NaN", dev, utf8(valid.replaceFirst("\"x00\":[^,]*", "\"x00\":\"NaN\"")), "'x00'", "not a finite number"),
                new Bad("infinity", dev, utf8(valid.replaceFirst("\"x01\":[^,]*", "\"x01\":1e999")), "'x01'", "not a finite number"),
                new Bad("a number too large for a float feature", dev, utf8(valid.replaceFirst("\"x02\":[^,]*", "\"x02\":1e300")),
                        "'x02'", "does not fit a float"),
                new Bad("record close to 1 MB", dev, utf8(valid.replace("}", ",\"padding\":\"" + "p".repeat(1_000_000) + "\"}")),
                        "max-record-size"));
        run(spec, bad, (i, time) -> utf8(json(i, random, time)));
    }

    @Test
    void avroPoisonIsDeadLetteredOnceAndValidEventsAreScoredOnce() throws Exception {
        PipelineSpec spec = pipeline("poison-avro", "avro", "at-least-once");
        Schema schema = spec.eventSchema();
        long now = System.currentTimeMillis();
        Random random = new Random(12);
        BiFunction<Integer, Long, GenericRecord> event = (i, time) -> record(schema, i, random, time);
        // (ids no valid event has: a bad record with a valid one's id would be a duplicate first)
        byte[] valid = avro(event.apply(10000, now));
        byte[] dev = utf8("dev-1");
        GenericRecord other = new GenericData.Record(SchemaBuilder.record("Other").fields().requiredLong("n").endRecord());
        other.put("n", 7L);
        byte[] garbage = new byte[300];
        new Random(3).nextBytes(garbage);
        List<Bad> bad = List.of(
                new Bad("random bytes", dev, garbage, "cannot decode a GenericEvent"),
                new Bad("truncated Avro", dev, Arrays.copyOf(valid, valid.length - 9), "cannot decode a GenericEvent"),
                new Bad("null value", dev, null, "no value"),
                new Bad("empty value", dev, new byte[0], "cannot decode a GenericEvent"),
                new Bad("JSON on an Avro topic", dev, utf8(json(1, random, now)), "cannot decode a GenericEvent", "JSON"),
                new Bad("another schema", dev, avro(other), "cannot decode a GenericEvent"),
                new Bad("empty entity key", utf8(""), avro(with(event.apply(10001, now), "deviceId", "")), "'deviceId'", "empty"),
                new Bad("empty event id", dev, avro(with(event.apply(10002, now), "eventId", "")), "'eventId'", "empty"),
                new Bad("zero event time", dev, avro(with(event.apply(10003, now), "eventTime", 0L)), "'eventTime'", "not after 1970"),
                new Bad("negative event time", dev, avro(with(event.apply(10004, now), "eventTime", -1L)), "'eventTime'", "not after 1970"),
                new Bad("event time far in the future", dev, avro(with(event.apply(10005, now), "eventTime", Long.MAX_VALUE)),
                        "'eventTime'", "max-future"),
                new Bad("NaN", dev, avro(with(event.apply(10006, now), "x00", Double.NaN)), "'x00'", "not a finite number"),
                new Bad("infinity", dev, avro(with(event.apply(10007, now), "x01", Double.POSITIVE_INFINITY)), "'x01'", "not a finite number"),
                new Bad("minus infinity", dev, avro(with(event.apply(10008, now), "x03", Double.NEGATIVE_INFINITY)), "'x03'", "not a finite number"),
                new Bad("a number too large for a float feature", dev, avro(with(event.apply(10009, now), "x02", 1e300)),
                        "'x02'", "does not fit a float"),
                new Bad("record larger than the limit", dev, avro(with(event.apply(10010, now), "region", "r".repeat(300_000))),
                        "max-record-size"));
        run(spec, bad, (i, time) -> avro(event.apply(i, time)));
    }

    /**
     * Starts the scoring job of {@code spec} with no restart allowed, publishes a model, sends 150
     * valid events, the bad ones each followed by a valid event, one duplicate of a valid event,
     * then 150 more valid events; and reconciles what comes out.
     */
    private void run(PipelineSpec spec, List<Bad> catalogue, BiFunction<Integer, Long, byte[]> valid) throws Exception {
        assertThat(catalogue.size() + 1).as("malformed kinds, the duplicate included").isGreaterThanOrEqualTo(15);
        KafkaSpec.TopicNames topics = spec.kafka().topics();
        String servers = kafka.bootstrapServers();
        JobClient job = ScoringJobs.startWithoutRestarts(spec, kafka.bootstrapServers());

        Map<String, Integer> validIds = new HashMap<>();
        Map<String, Bad> badAt = new LinkedHashMap<>();
        long now = System.currentTimeMillis();
        int n = 0;
        try (KafkaProducer<byte[], byte[]> producer = producer(servers)) {
            List<byte[]> validBytes = new ArrayList<>();
            for (; n < 150; n++) {
                validBytes.add(send(producer, topics.events(), valid.apply(n, now - 60_000 + n * 10L), n, validIds));
            }
            for (Bad b : catalogue) {
                RecordMetadata m = producer.send(new ProducerRecord<>(topics.events(), b.key(), b.value())).get();
                badAt.put(m.partition() + "@" + m.offset(), b);
                send(producer, topics.events(), valid.apply(n, now - 40_000 + n * 10L), n, validIds);
                n++;
            }
            // the same event again, byte for byte, as a retrying producer would send it
            RecordMetadata m = producer.send(new ProducerRecord<>(topics.events(), utf8("dev-" + 10 % 20),
                    validBytes.get(10))).get();
            badAt.put(m.partition() + "@" + m.offset(), new Bad("duplicate event id", null, null,
                    "duplicate event id", "eventId=p-10"));
            for (int end = n + 150; n < end; n++) {
                send(producer, topics.events(), valid.apply(n, now - 20_000 + n * 10L), n, validIds);
            }
        }

        List<Score> scores = new CopyOnWriteArrayList<>();
        List<FeatureVector> features = new CopyOnWriteArrayList<>();
        List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
        AvroSerde<Score> scoreSerde = AvroSerde.of(Score.class);
        AvroSerde<FeatureVector> featureSerde = AvroSerde.of(FeatureVector.class);
        AvroSerde<DeadLetter> deadSerde = AvroSerde.of(DeadLetter.class);
        try (CommittedTopics outputs = new CommittedTopics(servers,
                List.of(topics.scores(), topics.features(), topics.deadLetters()),
                (ConsumerRecord<byte[], byte[]> r) -> {
                    if (r.topic().equals(topics.scores())) {
                        scores.add(scoreSerde.decode(r.value()));
                    } else if (r.topic().equals(topics.features())) {
                        features.add(featureSerde.decode(r.value()));
                    } else {
                        deadLetters.add(deadSerde.decode(r.value()));
                    }
                })) {
            int in = validIds.size() + badAt.size();
            outputs.awaitUntil(() -> scores.size() + deadLetters.size() >= in, Duration.ofMinutes(2));
            outputs.pollFor(Duration.ofSeconds(2));

            assertThat(job.getJobStatus().get()).as("the job never failed (no restart was allowed)")
                    .isEqualTo(JobStatus.RUNNING);
            assertThat(scores.size() + deadLetters.size()).as("in == scores + dead letters").isEqualTo(in);

            Map<String, Integer> scoredTimes = new HashMap<>();
            for (Score s : scores) {
                scoredTimes.merge(s.getEventId(), 1, Integer::sum);
                assertThat(s.getModels().get(0).getValue()).isBetween(0f, 1f);
            }
            assertThat(scoredTimes).as("every valid event scored exactly once").hasSize(validIds.size())
                    .allSatisfy((id, times) -> assertThat(times).as(id).isEqualTo(1));
            assertThat(scoredTimes.keySet()).containsExactlyInAnyOrderElementsOf(validIds.keySet());
            assertThat(features).as("one feature vector per scored event").hasSize(validIds.size());
            for (FeatureVector fv : features) {
                assertThat(fv.getValues()).as("features of " + fv.getEventId()).allSatisfy(v -> assertThat(v).isFinite());
            }

            Map<String, Integer> lettered = new HashMap<>();
            for (DeadLetter d : deadLetters) {
                String at = d.getPartition() + "@" + d.getOffset();
                lettered.merge(at, 1, Integer::sum);
                Bad b = badAt.get(at);
                assertThat(b).as("a dead letter for a record that was not bad: " + d.getErrorMessage()).isNotNull();
                assertThat(d.getErrorMessage()).as(b.kind()).contains(b.reason());
                assertThat(d.getErrorMessage()).as(b.kind()).contains(topics.events() + "/" + at);
                int carried = d.getValue() == null ? 0 : d.getValue().remaining();
                assertThat(carried).as(b.kind() + ": a dead letter carries a bounded prefix").isLessThanOrEqualTo(64 * 1024);
                if (b.value() != null && b.value().length > 64 * 1024) {
                    assertThat(d.getSize()).isEqualTo(b.value().length);
                    assertThat(d.getSha256()).hasSize(64);
                }
            }
            assertThat(lettered).as("every bad record dead-lettered exactly once").hasSize(badAt.size())
                    .allSatisfy((at, times) -> assertThat(times).as(badAt.get(at).kind()).isEqualTo(1));
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void aReplayOfMonthOldEventsKeepsItsOutputPastTheBrokersRetention() throws Exception {
        PipelineSpec spec = pipeline("replay", "json", "exactly-once");
        KafkaSpec.TopicNames topics = spec.kafka().topics();
        String servers = kafka.bootstrapServers();
        JobClient job = ScoringJobs.startWithoutRestarts(spec, kafka.bootstrapServers());
        long monthAgo = System.currentTimeMillis() - Duration.ofDays(30).toMillis();
        Random random = new Random(13);
        int events = 300;
        try (KafkaProducer<byte[], byte[]> producer = producer(servers)) {
            for (int i = 0; i < events; i++) {
                // produced now (Kafka timestamp: now), as a backfill is; the events are a month old
                producer.send(new ProducerRecord<>(topics.events(), utf8("dev-" + i % 20),
                        utf8(json(i, random, monthAgo + i * 1_000L))));
            }
            producer.flush();
        }
        List<Score> scores = new CopyOnWriteArrayList<>();
        List<FeatureVector> features = new CopyOnWriteArrayList<>();
        try {
            try (CommittedTopics outputs = outputs(servers, topics, scores, features)) {
                outputs.awaitUntil(() -> scores.size() == events && features.size() == events, Duration.ofMinutes(2));
            }
            // A record stamped a month ago, written after every output: once retention has deleted
            // it, the check has run over the outputs too.
            String control = "replay.retention-control";
            kafka.createTopic(control, 1, Map.of());
            try (KafkaProducer<byte[], byte[]> producer = producer(servers);
                 Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
                producer.send(new ProducerRecord<>(control, null, monthAgo, null, utf8("old"))).get();
                TopicPartition p = new TopicPartition(control, 0);
                await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).until(() ->
                        admin.listOffsets(Map.of(p, OffsetSpec.earliest())).partitionResult(p).get().offset() > 0);
            }
            scores.clear();
            features.clear();
            try (CommittedTopics outputs = outputs(servers, topics, scores, features)) {
                outputs.awaitUntil(() -> scores.size() >= events && features.size() >= events, Duration.ofSeconds(30));
                outputs.pollFor(Duration.ofSeconds(1));
            }
            assertThat(scores).as("every score survived retention").hasSize(events);
            assertThat(features).as("every feature vector survived retention").hasSize(events);
            assertThat(scores).allSatisfy(s -> assertThat(s.getEventTime()).isLessThan(monthAgo + events * 1_000L));
        } finally {
            job.cancel().get();
        }
    }

    private static CommittedTopics outputs(String servers, KafkaSpec.TopicNames topics, List<Score> scores,
                                           List<FeatureVector> features) {
        AvroSerde<Score> scoreSerde = AvroSerde.of(Score.class);
        AvroSerde<FeatureVector> featureSerde = AvroSerde.of(FeatureVector.class);
        return new CommittedTopics(servers, List.of(topics.scores(), topics.features()), r -> {
            if (r.topic().equals(topics.scores())) {
                scores.add(scoreSerde.decode(r.value()));
            } else {
                features.add(featureSerde.decode(r.value()));
            }
        });
    }


    private static byte[] send(KafkaProducer<byte[], byte[]> producer, String topic, byte[] value, int i,
                               Map<String, Integer> validIds) throws Exception {
        producer.send(new ProducerRecord<>(topic, utf8("dev-" + i % 20), value)).get();
        validIds.put("p-" + i, i);
        return value;
    }

    static KafkaProducer<byte[], byte[]> producer(String servers) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static String json(int i, Random random, long time) {
        StringBuilder json = new StringBuilder(String.format(Locale.ROOT,
                "{\"eventId\":\"p-%d\",\"deviceId\":\"dev-%d\",\"eventTime\":%d,\"region\":\"%s\"", i, i % 20, time,
                List.of("north", "south", "east", "west").get(i % 4)));
        for (int j = 0; j < 30; j++) {
            json.append(String.format(Locale.ROOT, ",\"x%02d\":%.4f", j, random.nextGaussian()));
        }
        return json.append('}').toString();
    }

    static String withTime(String json, String time) {
        return json.replaceFirst("\"eventTime\":[0-9]+", "\"eventTime\":" + time);
    }

    static GenericRecord record(Schema schema, int i, Random random, long time) {
        GenericRecord r = new GenericData.Record(schema);
        r.put("eventId", "p-" + i);
        r.put("deviceId", "dev-" + i % 20);
        r.put("eventTime", time);
        r.put("region", List.of("north", "south", "east", "west").get(i % 4));
        for (int j = 0; j < 30; j++) {
            r.put(String.format(Locale.ROOT, "x%02d", j), random.nextGaussian());
        }
        return r;
    }

    static GenericRecord with(GenericRecord r, String field, Object value) {
        r.put(field, value);
        return r;
    }

    static byte[] avro(GenericRecord r) {
        try {
            return new BinaryMessageEncoder<GenericRecord>(GenericData.get(), r.getSchema()).encode(r).array();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
