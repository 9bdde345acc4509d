package io.riffle.modelops.decode;

import io.riffle.modelops.features.EventFields;
import io.riffle.modelops.features.EventTimeBounds;
import io.riffle.modelops.features.FeatureExtractionException;
import io.riffle.modelops.spec.DataFormat;
import io.riffle.modelops.spec.PipelineSpec;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The decoder alone: bytes in, an event with key, id and time or a refusal naming the field or cause. */
class EventDecoderTest {
    static final long TIME = 1_700_000_000_000L;
    static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);
    static PipelineSpec spec;
    static Schema schema;

    @BeforeAll
    static void load() throws Exception {
        spec = PipelineSpec.load(Path.of("../pipelines/generic-30.yaml"));
        schema = spec.eventSchema();
    }

    static EventDecoder decoder(DataFormat format) {
        return new EventDecoder(schema, format, EventFields.of(spec.features(), spec.events().idField(), schema),
                EventTimeBounds.of(spec.events()), spec.events().maxRecordBytes());
    }

    static GenericRecord event(String id, String device, long time) {
        GenericRecordBuilder b = new GenericRecordBuilder(schema);
        for (Schema.Field f : schema.getFields()) {
            switch (f.schema().getType()) {
                case DOUBLE -> b.set(f, 1.5);
                case STRING -> b.set(f, "north");
                default -> { }
            }
        }
        b.set("eventId", id).set("deviceId", device).set("eventTime", time);
        for (Schema.Field f : schema.getFields()) {
            if (!b.has(f.name()) && f.schema().getType() == Schema.Type.UNION) {
                b.set(f, null);
            }
        }
        return b.build();
    }

    static byte[] avro(GenericRecord e) throws Exception {
        return new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(e).array();
    }

    static String json(String id, String device, Object time) {
        StringBuilder s = new StringBuilder("{\"eventId\":\"" + id + "\",\"deviceId\":\"" + device + "\",\"eventTime\":" + time);
        for (int i = 0; i < 30; i++) {
            s.append(String.format(",\"x%02d\":%d.25", i, i));
        }
        return s.append(",\"region\":\"south\"}").toString();
    }

    static DecodedEvent decode(EventDecoder d, String json) {
        return d.decode(KEY, json.getBytes(StandardCharsets.UTF_8), TIME);
    }

    @Test
    void decodesAvroSingleObjectEncoding() throws Exception {
        DecodedEvent d = decoder(DataFormat.AVRO).decode(KEY, avro(event("e-1", "dev-7", TIME)), TIME);
        assertThat(d.isRefused()).isFalse();
        assertThat(d.error()).isNull();
        assertThat(d.key()).isEqualTo("dev-7");
        assertThat(d.eventId().toString()).isEqualTo("e-1");
        assertThat(d.eventTime()).isEqualTo(TIME);
        assertThat(d.record().get("x03")).isEqualTo(1.5);
    }

    @Test
    void decodesTheRecordsAvrosOwnDecoderDoesOneAfterAnother() throws Exception {
        EventDecoder d = decoder(DataFormat.AVRO);
        BinaryMessageDecoder<GenericRecord> avros = new BinaryMessageDecoder<>(GenericData.get(), schema);
        List<GenericRecord> first = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            byte[] bytes = avro(event("e-" + i, "dev-" + (i % 2), TIME + i));
            DecodedEvent e = d.decode(KEY, bytes, TIME);
            assertThat(e.isRefused()).as(e.message()).isFalse();
            assertThat(e.record()).isEqualTo(avros.decode(bytes));
            first.add(e.record());
        }
        // each decode makes a record of its own: none is overwritten by the next
        for (int i = 0; i < 5; i++) {
            assertThat(first.get(i).get("eventId").toString()).isEqualTo("e-" + i);
        }
    }

    @Test
    void aValueOfAnotherSchemaIsRefusedInAvrosWords() throws Exception {
        Schema other = SchemaBuilder.record("Other").fields().requiredString("a").endRecord();
        GenericRecord o = new GenericRecordBuilder(other).set("a", "x").build();
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), other).encode(o).array();
        DecodedEvent d = decoder(DataFormat.AVRO).decode(KEY, bytes, TIME);
        assertThat(d.isRefused()).isTrue();
        assertThat(d.message()).contains("cannot decode a " + schema.getName()).contains("fingerprint");
    }

    @Test
    void decodesJsonWithLosslessCoercions() {
        DecodedEvent d = decode(decoder(DataFormat.JSON), json("e-2", "dev-1", "\"" + TIME + "\""));
        assertThat(d.isRefused()).isFalse();
        assertThat(d.key()).isEqualTo("dev-1");
        assertThat(d.eventTime()).isEqualTo(TIME);
        assertThat(d.record().get("x02")).isEqualTo(2.25);
        assertThat(d.record().get("region").toString()).isEqualTo("south");
    }

    @Test
    void badRecordsAreRefusedNamingTheFieldOrCause() throws Exception {
        EventDecoder json = decoder(DataFormat.JSON);
        DecodedEvent notJson = decode(json, "{not json");
        assertThat(notJson.isRefused()).isTrue();
        assertThat(notJson.record()).as("nothing decoded").isNull();

        DecodedEvent missingKey = decode(json, json("e-3", "dev-1", TIME).replace("\"deviceId\":\"dev-1\",", ""));
        assertThat(missingKey.message()).contains("deviceId");

        DecodedEvent typed = decode(json, json("e-4", "dev-1", TIME).replace("\"x07\":7.25", "\"x07\":\"seven\""));
        assertThat(typed.message()).contains("x07").contains("seven");

        DecodedEvent emptyKey = decode(json, json("e-5", "", TIME));
        assertThat(emptyKey.message()).isEqualTo(schema.getName() + " field 'deviceId' (the entity key) is empty");
        assertThat(emptyKey.error()).isInstanceOf(IllegalArgumentException.class);
        assertThat(emptyKey.record()).as("decoded, then refused: its values can be hashed out of the message").isNotNull();

        DecodedEvent emptyId = decode(json, json("", "dev-2", TIME));
        assertThat(emptyId.message()).isEqualTo(schema.getName() + " field 'eventId' (the event id) is empty");

        EventDecoder avro = decoder(DataFormat.AVRO);
        byte[] good = avro(event("e-6", "dev-1", TIME));
        DecodedEvent truncated = avro.decode(KEY, Arrays.copyOf(good, good.length - 5), TIME);
        assertThat(truncated.message()).contains(schema.getName());
        assertThat(truncated.record()).isNull();
        // the decoder it reuses is left clean by the failure: the next record decodes
        assertThat(avro.decode(KEY, good, TIME).isRefused()).isFalse();
        DecodedEvent jsonAsAvro = avro.decode(KEY, json("e-7", "d", TIME).getBytes(StandardCharsets.UTF_8), TIME);
        assertThat(jsonAsAvro.message()).contains("cannot decode a " + schema.getName()).contains("Avro single-object encoding");
        assertThat(avro.decode(KEY, null, TIME).message()).isEqualTo("the record has no value");
    }

    @Test
    void poisonOfEveryKindIsRefusedNamingTheFieldOrCause() throws Exception {
        EventDecoder json = decoder(DataFormat.JSON);
        String ok = json("e-9", "dev-1", TIME);
        assertThat(decode(json, ok).isRefused()).isFalse();
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(ok.replace("\"x00\":0.25", "\"x00\":\"NaN\""), "'x00' is \"NaN\", not a finite number");
        cases.put(ok.replace("\"x01\":1.25", "\"x01\":\"-Infinity\""), "'x01' is \"-Infinity\", not a finite number");
        cases.put(ok.replace("\"x02\":2.25", "\"x02\":1e999"), "'x02' is");
        cases.put(ok.replace("\"eventTime\":" + TIME, "\"eventTime\":0"), "'eventTime' is 0");
        cases.put(ok.replace("\"eventTime\":" + TIME, "\"eventTime\":-1"), "not after 1970");
        cases.put(ok.replace("\"eventTime\":" + TIME, "\"eventTime\":" + (TIME + 7_200_000L)), "max-future");
        cases.put(ok.replace("}", ",\"deep\":" + "[".repeat(3000) + "]".repeat(3000) + "}"), "nesting depth");
        cases.put(ok.replace("}", ",\"pad\":\"" + "p".repeat(300_000) + "\"}"), "max-record-size");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            DecodedEvent d = decode(json, c.getKey());
            assertThat(d.isRefused()).as(c.getValue()).isTrue();
            assertThat(d.message()).as(c.getValue()).contains(c.getValue());
        }
        DecodedEvent future = decoder(DataFormat.AVRO).decode(KEY, avro(event("e-10", "dev-1", Long.MAX_VALUE)), TIME);
        assertThat(future.message()).contains("'eventTime'").contains("max-future");
    }

    @Test
    void theKeyCountsTowardsTheSizeLimitAndNoTimestampMeansTheClock() {
        EventDecoder json = decoder(DataFormat.JSON);
        byte[] value = json("e-11", "dev-1", TIME).getBytes(StandardCharsets.UTF_8);
        byte[] bigKey = new byte[spec.events().maxRecordBytes() - value.length + 1];
        assertThat(json.decode(bigKey, value, TIME).message()).contains("max-record-size");
        assertThat(json.decode(new byte[bigKey.length - 1], value, TIME).isRefused()).isFalse();

        // an older producer's record (timestamp -1) is bounded by the wall clock
        long now = System.currentTimeMillis();
        assertThat(json.decode(KEY, json("e-12", "dev-1", now).getBytes(StandardCharsets.UTF_8), -1).isRefused()).isFalse();
        assertThat(json.decode(KEY, json("e-13", "dev-1", now + 86_400_000L).getBytes(StandardCharsets.UTF_8), -1).message())
                .contains("the clock").contains("max-future");
    }

    @Test
    void aShippedDecoderOpensItselfWhereItRuns() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(decoder(DataFormat.JSON));
        }
        EventDecoder shipped;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            shipped = (EventDecoder) in.readObject();
        }
        DecodedEvent d = decode(shipped, json("e-14", "dev-4", TIME));
        assertThat(d.key()).isEqualTo("dev-4");
        assertThat(shipped.schema().getName()).isEqualTo(schema.getName());
        // a record whose time cannot be read names the field (through EventFields)
        DecodedEvent noTime = decode(shipped, json("e-15", "dev-4", "\"soon\""));
        assertThat(noTime.isRefused()).isTrue();
        assertThat(noTime.message()).contains("eventTime");
    }

    @Test
    void anUnreadableKeyIsAFeatureExtractionExceptionNamingTheEvent() {
        // a nullable key field: decoded, then refused by the key reader
        Schema nullableKey = new Schema.Parser().parse(schema.toString().replace(
                "\"name\":\"deviceId\",\"type\":\"string\"", "\"name\":\"deviceId\",\"type\":[\"null\",\"string\"],\"default\":null"));
        assertThat(nullableKey.getField("deviceId").schema().isNullable()).isTrue();
        EventDecoder d = new EventDecoder(nullableKey, DataFormat.JSON,
                EventFields.of(spec.features(), spec.events().idField(), nullableKey), EventTimeBounds.of(spec.events()),
                spec.events().maxRecordBytes());
        DecodedEvent refused = decode(d, json("e-16", "x", TIME).replace("\"deviceId\":\"x\"", "\"deviceId\":null"));
        assertThat(refused.error()).isInstanceOf(FeatureExtractionException.class);
        assertThat(refused.message()).isEqualTo("event eventId=e-16: entity key field 'deviceId' is missing");
    }
}
