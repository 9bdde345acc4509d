package io.riffle.modelops.features;

import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.SpecFixtures;
import io.riffle.schemas.Transaction;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FeatureExtractorTest {

    private static final long HOUR = 3_600_000L;

    @TempDir
    Path dir;

    private PipelineSpec pipeline;
    private FeatureExtractor extractor;
    private List<String> names;

    @BeforeEach
    void setUp() throws Exception {
        pipeline = SpecFixtures.load(dir, SpecFixtures.resource("valid.yaml"));
        extractor = FeatureExtractor.of(pipeline);
        names = pipeline.features().names();
    }

    static GenericRecord event(Schema schema, String id, String user, Object amount, Integer quantity, String country,
                               boolean online, String kind, long ts) {
        GenericRecord r = new GenericData.Record(schema);
        r.put("eventId", id);
        r.put("userId", user);
        r.put("amount", amount);
        r.put("quantity", quantity);
        r.put("country", country);
        r.put("online", online);
        r.put("kind", new GenericData.EnumSymbol(schema.getField("kind").schema(), kind));
        r.put("ts", ts);
        r.put("tsIso", java.time.Instant.ofEpochMilli(ts).toString());
        return r;
    }

    private float value(float[] v, String name) {
        return v[names.indexOf(name)];
    }

    @Test
    void fieldTimeAndFirstEventFeatures() {
        Schema s = pipeline.eventSchema();
        EntityFeatureState state = extractor.newState();
        // 1970-01-01 was a Thursday: 06:00 that day is 3.25 days after Monday 00:00
        float[] v = extractor.extract(event(s, "e1", "u1", 5000.0, null, "DE", true, "B", 6 * HOUR), state);

        assertThat(v).hasSize(23);
        assertThat(value(v, "amount_log1p")).isCloseTo((float) Math.log1p(1000), within(1e-6f)); // clipped first
        assertThat(value(v, "quantity")).isZero();
        assertThat(value(v, "quantity_missing")).isEqualTo(1f);
        assertThat(value(v, "online")).isEqualTo(1f);
        float hashSum = 0;
        for (int i = 0; i < 4; i++) {
            hashSum += value(v, "country_hash_" + i);
        }
        assertThat(hashSum).isEqualTo(1f);
        assertThat(value(v, "country_hash_" + TextHashes.bucket("DE", 4))).isEqualTo(1f);
        assertThat(new float[] {value(v, "kind_A"), value(v, "kind_B"), value(v, "kind_other")}).containsExactly(0f, 1f, 0f);
        assertThat(value(v, "hour_sin")).isCloseTo(1f, within(1e-6f));
        assertThat(value(v, "hour_cos")).isCloseTo(0f, within(1e-6f));
        double weekAngle = 2 * Math.PI * 3.25 / 7;
        assertThat(value(v, "weekday_sin")).isCloseTo((float) Math.sin(weekAngle), within(1e-6f));
        assertThat(value(v, "weekday_cos")).isCloseTo((float) Math.cos(weekAngle), within(1e-6f));
        assertThat(value(v, "count_1m")).isEqualTo(1f);
        assertThat(value(v, "amount_sum_1h")).isEqualTo(5000f);
        assertThat(value(v, "amount_std_1h")).isZero();
        assertThat(value(v, "country_distinct_1h")).isCloseTo(1f, within(0.01f));
        assertThat(value(v, "time_since_previous")).isEqualTo(3600f); // first event: the cap (longest window)
        assertThat(value(v, "amount_to_amount_mean_1h")).isEqualTo(1f);

        float[] w = extractor.extract(event(s, "e2", "u1", 1000.0, 3, "FR", false, "C", 6 * HOUR + 10_000), state);
        assertThat(value(w, "quantity")).isEqualTo(3f);
        assertThat(value(w, "quantity_missing")).isZero();
        assertThat(new float[] {value(w, "kind_A"), value(w, "kind_B"), value(w, "kind_other")}).containsExactly(0f, 0f, 1f);
        assertThat(value(w, "count_1m")).isEqualTo(2f);
        assertThat(value(w, "amount_sum_1m")).isEqualTo(6000f);
        assertThat(value(w, "amount_std_1h")).isCloseTo(2000f, within(1e-3f));
        assertThat(value(w, "country_distinct_1h")).isCloseTo(2f, within(0.05f));
        assertThat(value(w, "time_since_previous")).isEqualTo(10f);
        assertThat(value(w, "amount_to_amount_mean_1h")).isCloseTo(1000f / 3000f, within(1e-6f));
        assertThat(state.events).isEqualTo(2);
    }

    @Test
    void wrongTypeNamesTheFieldAndTheEventAndLeavesStateUnchanged() {
        Schema s = pipeline.eventSchema();
        EntityFeatureState state = extractor.newState();
        extractor.extract(event(s, "e1", "u1", 10.0, 1, "DE", true, "A", HOUR), state);
        EntityFeatureState before = state.copy();

        assertThatThrownBy(() -> extractor.extract(event(s, "e2", "u1", "12.50", 1, "DE", true, "A", HOUR + 1), state))
                .isInstanceOf(FeatureExtractionException.class)
                .hasMessageContaining("event eventId=e2")
                .hasMessageContaining("field 'amount' should be a number but is String '12.50'")
                .extracting(e -> ((FeatureExtractionException) e).field()).isEqualTo("amount");
        assertThat(state).isEqualTo(before);

        assertThatThrownBy(() -> extractor.extract(event(s, "e3", "u1", null, 1, "DE", true, "A", HOUR + 2), state))
                .isInstanceOf(FeatureExtractionException.class)
                .hasMessageContaining("event eventId=e3: field 'amount' is missing and its feature has no missing rule");

        GenericRecord noTime = event(s, "e4", "u1", 1.0, 1, "DE", true, "A", 0);
        noTime.put("ts", null);
        assertThatThrownBy(() -> extractor.extract(noTime, state))
                .hasMessageContaining("event eventId=e4: event-time field 'ts' is missing");
        assertThat(state).isEqualTo(before);
    }

    @Test
    void nonFiniteAndFloatOverflowingValuesAreRefusedAndLeaveTheStateAsItWas() {
        Schema s = pipeline.eventSchema();
        EntityFeatureState state = extractor.newState();
        extractor.extract(event(s, "e1", "u1", 10.0, 1, "DE", true, "A", HOUR), state);
        EntityFeatureState before = state.copy();
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e300, -4e38}) {
            assertThatThrownBy(() -> extractor.extract(event(s, "e2", "u1", bad, 1, "DE", true, "A", HOUR + 1), state))
                    .as(Double.toString(bad))
                    .isInstanceOf(FeatureExtractionException.class)
                    .hasMessageContaining("event eventId=e2: field 'amount' is " + bad)
                    .hasMessageContaining(Double.isFinite(bad) ? "does not fit a float" : "not a finite number")
                    .extracting(e -> ((FeatureExtractionException) e).field()).isEqualTo("amount");
            assertThat(state).isEqualTo(before);
        }
        // the largest float is still a number (clipped by the spec, aggregated as a double)
        float[] v = extractor.extract(event(s, "e3", "u1", (double) Float.MAX_VALUE, 1, "DE", true, "A", HOUR + 2), state);
        for (float x : v) {
            assertThat(x).isFinite();
        }
    }

    @Test
    void generatedRecordsAndIsoTimes() throws Exception {
        // (time parsing itself: EventFieldsTest) an ISO-8601 pipeline extracts with the parsed time
        PipelineSpec iso = SpecFixtures.load(dir, SpecFixtures.resource("valid.yaml")
                .replace("time: {field: ts, unit: epoch-millis}", "time: {field: tsIso, unit: iso-8601}"));
        FeatureExtractor x = FeatureExtractor.of(iso);
        GenericRecord e = event(iso.eventSchema(), "e1", "u1", 1.0, 1, "DE", true, "A", 6 * HOUR + 1);
        assertThat(x.eventTime(e)).isEqualTo(6 * HOUR + 1);
        float[] atSix = x.extract(e, x.newState());
        assertThat(atSix[iso.features().names().indexOf("hour_sin")]).isCloseTo(1f, within(1e-6f));

        // the demo pipeline over the generated Transaction class (SpecificRecord, its own Schema instance)
        PipelineSpec demo = PipelineSpec.load(Path.of("../pipelines/demo.yaml"));
        FeatureExtractor dx = FeatureExtractor.of(demo);
        Transaction t = Transaction.newBuilder().setEventId("t1").setCardId("c1").setMerchantId("m1").setAmount(42.0)
                .setCurrency("EUR").setCountry("DE").setChannel("ONLINE").setMerchantCategory("5411").setEventTime(HOUR).build();
        float[] v = dx.extract(t, dx.newState());
        assertThat(v).hasSize(demo.features().count());
        assertThat(v[demo.features().names().indexOf("channel_ONLINE")]).isEqualTo(1f);
        assertThat(v[demo.features().names().indexOf("amount_log1p")]).isCloseTo((float) Math.log1p(42), within(1e-6f));
        assertThat(dx.entityKey(t)).isEqualTo("c1");
    }

    @Test
    void extractorAndStateAreSerializable() throws Exception {
        Schema s = pipeline.eventSchema();
        EntityFeatureState state = extractor.newState();
        extractor.extract(event(s, "e1", "u1", 1.0, 1, "DE", true, "A", HOUR), state);
        FeatureExtractor extractorBack = roundTrip(extractor);
        EntityFeatureState stateBack = roundTrip(state);
        assertThat(stateBack).isEqualTo(state);
        assertThat(roundTrip(pipeline.features()).hash()).isEqualTo(pipeline.features().hash());

        // the copies go on exactly as the originals: same vectors, same state, same refusals
        for (int i = 2; i <= 5; i++) {
            GenericRecord e = event(s, "e" + i, "u1", 10.0 * i, i % 2 == 0 ? null : i, i % 2 == 0 ? "FR" : "DE", i % 2 == 0,
                    "B", HOUR + i * 20_000L);
            assertThat(extractorBack.extract(e, stateBack)).as("event %d", i).containsExactly(extractor.extract(e, state));
        }
        assertThat(stateBack).isEqualTo(state);
        assertThat(extractorBack.entityKey(event(s, "e6", "u2", 1.0, 1, "DE", true, "A", HOUR))).isEqualTo("u2");
        assertThatThrownBy(() -> extractorBack.extract(event(s, "e7", "u1", "1", 1, "DE", true, "A", HOUR), stateBack))
                .isInstanceOf(FeatureExtractionException.class).hasMessageContaining("event eventId=e7: field 'amount'");
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    @Test
    void decodedAvroStringsGiveTheSameFeaturesAsJavaStrings() throws Exception {
        // Avro decodes strings as Utf8, which the extractor hashes and looks up without converting
        PipelineSpec demo = PipelineSpec.load(Path.of("../pipelines/demo.yaml"));
        FeatureExtractor x = FeatureExtractor.of(demo);
        Schema schema = demo.eventSchema();
        org.apache.avro.generic.GenericDatumWriter<GenericRecord> writer = new org.apache.avro.generic.GenericDatumWriter<>(schema);
        org.apache.avro.generic.GenericDatumReader<GenericRecord> reader = new org.apache.avro.generic.GenericDatumReader<>(schema);
        EntityFeatureState asStrings = x.newState();
        EntityFeatureState asDecoded = x.newState();
        java.util.Random random = new java.util.Random(9);
        List<String> channels = List.of("POS", "ONLINE", "ATM", "MOBILE", "KIOSK");
        for (int i = 0; i < 200; i++) {
            GenericRecord e = new GenericData.Record(schema);
            e.put("eventId", "t-" + i);
            e.put("cardId", "card-1");
            e.put("merchantId", "m-" + random.nextInt(20) + "-straße");
            e.put("amount", 1 + random.nextInt(90_000) / 7.0);
            e.put("currency", "EUR");
            e.put("country", List.of("DE", "FR", "ÅLAND", "ES").get(random.nextInt(4)));
            e.put("channel", channels.get(random.nextInt(channels.size())));
            e.put("merchantCategory", String.valueOf(5000 + random.nextInt(12)));
            e.put("eventTime", 1_767_225_600_000L + i * 20_000L);
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(bytes, null);
            writer.write(e, encoder);
            encoder.flush();
            GenericRecord decoded = reader.read(null,
                    org.apache.avro.io.DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
            assertThat(decoded.get("channel")).isInstanceOf(org.apache.avro.util.Utf8.class);
            assertThat(x.extract(decoded, asDecoded)).as("event %d", i).containsExactly(x.extract(e, asStrings));
        }
        assertThat(asDecoded).isEqualTo(asStrings);
    }
}
