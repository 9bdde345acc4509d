package io.riffle.jobs.serde;

import io.riffle.modelops.decode.EventDecoder;
import io.riffle.modelops.features.EventFields;
import io.riffle.modelops.features.EventTimeBounds;
import io.riffle.modelops.spec.DataFormat;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.DeadLetter;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.InstantiationUtil;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Flink adapter over {@link EventDecoder} (whose decoding is tested in {@code EventDecoderTest}):
 * dead letters that name the record, their bounded payloads, privacy, and the produced type.
 */
class GenericEventDeserializerTest {
    static final long TIME = 1_700_000_000_000L;
    static PipelineSpec spec;
    static Schema schema;

    @BeforeAll
    static void load() throws Exception {
        // As every task manager does before it deserializes a record (the dead-letter field is an Avro record).
        io.riffle.schemas.serde.AvroClassAllowList.allowRiffleRecords();
        spec = PipelineSpec.load(Path.of("../pipelines/generic-30.yaml"));
        schema = spec.eventSchema();
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

    static String json(String id, String device, Object time) {
        StringBuilder s = new StringBuilder("{\"eventId\":\"" + id + "\",\"deviceId\":\"" + device + "\",\"eventTime\":" + time);
        for (int i = 0; i < 30; i++) {
            s.append(String.format(",\"x%02d\":%d.25", i, i));
        }
        return s.append(",\"region\":\"south\"}").toString();
    }

    static List<DecodedRecord> decode(GenericEventDeserializer d, byte[] value, long offset) throws Exception {
        List<DecodedRecord> out = new ArrayList<>();
        d.deserialize(new ConsumerRecord<>("generic.events", 3, offset, "k".getBytes(StandardCharsets.UTF_8), value),
                new Collector<>() {
                    @Override
                    public void collect(DecodedRecord r) {
                        out.add(r);
                    }

                    @Override
                    public void close() {}
                });
        assertThat(out).hasSize(1);
        return out;
    }

    static EventDecoder decoder(DataFormat format) {
        return new EventDecoder(schema, format, EventFields.of(spec.features(), spec.events().idField(), schema),
                EventTimeBounds.of(spec.events()), spec.events().maxRecordBytes());
    }

    /** A deserializer as the task manager gets it: through Java serialization, opened there. */
    static GenericEventDeserializer shipped(DataFormat format) throws Exception {
        GenericEventDeserializer d = new GenericEventDeserializer(decoder(format), null);
        GenericEventDeserializer copy = InstantiationUtil.clone(d);
        copy.open(null);
        return copy;
    }

    @Test
    void decodesAvroSingleObjectEncoding() throws Exception {
        GenericRecord e = event("e-1", "dev-7", TIME);
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(e).array();
        DecodedRecord d = decode(shipped(DataFormat.AVRO), bytes, 11).get(0);
        assertThat(d.deadLetter).isNull();
        assertThat(d.key).isEqualTo("dev-7");
        assertThat(d.eventTime).isEqualTo(TIME);
        assertThat(d.record.get("x03")).isEqualTo(1.5);
        assertThat(d.offset).isEqualTo(11);
    }

    @Test
    void badRecordsBecomeDeadLettersNamingRecordAndField() throws Exception {
        GenericEventDeserializer json = shipped(DataFormat.JSON);
        DecodedRecord notJson = decode(json, "{not json".getBytes(StandardCharsets.UTF_8), 20).get(0);
        assertThat(notJson.deadLetter.getErrorMessage()).contains("generic.events/3@20");
        assertThat(notJson.record).isNull();

        String noDevice = json("e-3", "dev-1", TIME).replace("\"deviceId\":\"dev-1\",", "");
        DecodedRecord missingKey = decode(json, noDevice.getBytes(StandardCharsets.UTF_8), 21).get(0);
        assertThat(missingKey.deadLetter.getErrorMessage()).contains("deviceId").contains("generic.events/3@21");

        String wrongType = json("e-4", "dev-1", TIME).replace("\"x07\":7.25", "\"x07\":\"seven\"");
        DecodedRecord typed = decode(json, wrongType.getBytes(StandardCharsets.UTF_8), 22).get(0);
        assertThat(typed.deadLetter.getErrorMessage()).contains("x07").contains("seven");

        DecodedRecord emptyKey = decode(json, json("e-5", "", TIME).getBytes(StandardCharsets.UTF_8), 23).get(0);
        assertThat(emptyKey.deadLetter.getErrorMessage()).contains("deviceId").contains("empty");

        DecodedRecord emptyId = decode(json, json("", "dev-2", TIME).getBytes(StandardCharsets.UTF_8), 24).get(0);
        assertThat(emptyId.deadLetter.getErrorMessage()).contains("eventId");

        GenericEventDeserializer avro = shipped(DataFormat.AVRO);
        byte[] good = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema)
                .encode(event("e-6", "dev-1", TIME)).array();
        DecodedRecord truncated = decode(avro, java.util.Arrays.copyOf(good, good.length - 5), 25).get(0);
        assertThat(truncated.deadLetter.getErrorMessage()).contains("generic.events/3@25");
        DecodedRecord jsonAsAvro = decode(avro, json("e-7", "d", TIME).getBytes(StandardCharsets.UTF_8), 26).get(0);
        assertThat(jsonAsAvro.deadLetter.getErrorMessage()).contains("cannot decode a " + schema.getName())
                .contains("Avro single-object encoding").contains("generic.events/3@26");
        assertThat(truncated.deadLetter.getErrorMessage()).contains(schema.getName());
        DecodedRecord tombstone = decode(avro, null, 27).get(0);
        assertThat(tombstone.deadLetter.getErrorMessage()).contains("generic.events/3@27");
    }

    @Test
    void poisonOfEveryKindIsADeadLetterNamingTheFieldOrCause() throws Exception {
        GenericEventDeserializer json = shipped(DataFormat.JSON);
        String ok = json("e-9", "dev-1", TIME);
        assertThat(decode(json, ok.getBytes(StandardCharsets.UTF_8), 1).get(0).deadLetter).isNull();
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(ok.replace("\"x00\":0.25", "\"x00\":\"NaN\""), "'x00' is \"NaN\", not a finite number");
        cases.put(ok.replace("\"x01\":1.25", "\"x01\":\"-Infinity\""), "'x01' is \"-Infinity\", not a finite number");
        cases.put(ok.replace("\"x02\":2.25", "\"x02\":1e999"), "'x02' is");
        cases.put(ok.replace("\"eventTime\":" + TIME, "\"eventTime\":0"), "'eventTime' is 0");
        cases.put(ok.replace("\"eventTime\":" + TIME, "\"eventTime\":-1"), "not after 1970");
        cases.put(ok.replace("\"eventTime\":" + TIME, "\"eventTime\":" + (System.currentTimeMillis() + 7_200_000L)),
                "max-future");
        cases.put(ok.replace("}", ",\"deep\":" + "[".repeat(3000) + "]".repeat(3000) + "}"), "nesting depth");
        cases.put(ok.replace("}", ",\"pad\":\"" + "p".repeat(300_000) + "\"}"), "max-record-size");
        long offset = 100;
        for (Map.Entry<String, String> c : cases.entrySet()) {
            DecodedRecord d = decode(json, c.getKey().getBytes(StandardCharsets.UTF_8), offset).get(0);
            assertThat(d.deadLetter).as(c.getValue()).isNotNull();
            assertThat(d.deadLetter.getErrorMessage()).as(c.getValue()).contains(c.getValue())
                    .contains("generic.events/3@" + offset);
            assertThat(DeadLetterReason.of(d.deadLetter)).as(c.getValue() + ": " + d.deadLetter.getErrorClass())
                    .isEqualTo(expectedReason(c.getValue()));
            offset++;
        }
        // the oversize one carries a bounded prefix, the original's size and its SHA-256
        byte[] big = ok.replace("}", ",\"pad\":\"" + "p".repeat(300_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        DeadLetter letter = decode(json, big, 200).get(0).deadLetter;
        assertThat(letter.getValue().remaining()).isEqualTo(DeadLetters.MAX_PAYLOAD);
        assertThat(letter.getSize()).isEqualTo(big.length);
        assertThat(letter.getSha256()).isEqualTo(io.riffle.modelops.validation.Digests.sha256Hex(big));

        GenericEventDeserializer avro = shipped(DataFormat.AVRO);
        GenericRecord future = event("e-10", "dev-1", Long.MAX_VALUE);
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(future).array();
        assertThat(decode(avro, bytes, 300).get(0).deadLetter.getErrorMessage()).contains("'eventTime'").contains("max-future");
    }

    /** The metrics' reason of each poison case above, by the message it is known by. */
    private static DeadLetterReason expectedReason(String message) {
        if (message.contains("not a finite number") || message.startsWith("'x02'")) {
            return DeadLetterReason.NON_FINITE_VALUE;
        }
        if (message.contains("eventTime") || message.contains("1970") || message.contains("max-future")) {
            return DeadLetterReason.OUT_OF_RANGE_TIME;
        }
        if (message.contains("max-record-size")) {
            return DeadLetterReason.OVERSIZE;
        }
        return DeadLetterReason.UNDECODABLE;
    }

    @Test
    void producedTypeHasItsOwnSerializerAndRoundTripsWithoutKryo() throws Exception {
        TypeInformation<DecodedRecord> type = shipped(DataFormat.JSON).getProducedType();
        assertThat(type).isInstanceOf(DecodedRecordTypeInfo.class);
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeSerializer<DecodedRecord> serializer = InstantiationUtil.clone(type).createSerializer(config);
        assertThat(serializer).isInstanceOf(DecodedRecordSerializer.class);

        DecodedRecord in = decode(shipped(DataFormat.JSON), json("e-8", "dev-3", TIME).getBytes(StandardCharsets.UTF_8),
                30).get(0);
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(in, out);
        DecodedRecord back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back.key).isEqualTo("dev-3");
        assertThat(back.record.get("x29")).isEqualTo(29.25);
        assertThat(back.offset).isEqualTo(30);

        DecodedRecord failed = decode(shipped(DataFormat.JSON), "[]".getBytes(StandardCharsets.UTF_8), 31).get(0);
        out.clear();
        serializer.serialize(failed, out);
        DecodedRecord failedBack = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(failedBack.record).isNull();
        assertThat(failedBack.deadLetter.getValue()).isEqualTo(ByteBuffer.wrap("[]".getBytes(StandardCharsets.UTF_8)));
    }

    /** With privacy: the key's token, no value (size and SHA-256 only), no clear key or PII value in the message. */
    @Test
    void withPrivacyAnUndecodableRecordKeepsNoPersonalData() throws Exception {
        io.riffle.modelops.privacy.Pseudonymizer privacy = new io.riffle.modelops.privacy.Pseudonymizer(
                new io.riffle.modelops.privacy.PiiHasher("a-key-of-32-bytes-for-the-tests!".getBytes(StandardCharsets.UTF_8)),
                List.of("deviceId", "region"));
        GenericEventDeserializer d = InstantiationUtil.clone(new GenericEventDeserializer(decoder(DataFormat.JSON), privacy));
        d.open(null);
        String token = privacy.token("k");

        byte[] wrongRegion = json("e-3", "dev-1", TIME).replace("\"region\":\"south\"", "\"region\":{\"at\":\"south\"}")
                .getBytes(StandardCharsets.UTF_8);
        DeadLetter letter = decode(d, wrongRegion, 8).get(0).deadLetter;
        assertThat(StandardCharsets.UTF_8.decode(letter.getKey()).toString()).isEqualTo(token);
        assertThat(letter.getValue()).isNull();
        assertThat(letter.getSize()).isEqualTo(wrongRegion.length);
        assertThat(letter.getSha256()).isEqualTo(io.riffle.modelops.validation.Digests.sha256Hex(wrongRegion));
        assertThat(letter.getErrorMessage()).contains("field 'region'", "generic.events/3@8").doesNotContain("south");

        byte[] notJson = "k is not json".getBytes(StandardCharsets.UTF_8);
        letter = decode(d, notJson, 9).get(0).deadLetter;
        assertThat(letter.getValue()).isNull();
        assertThat(letter.getErrorMessage()).contains("cannot decode GenericEvent from JSON");

        // decoded, then refused: the event's clear values are known and replaced
        byte[] emptyId = json("", "dev-1", TIME).getBytes(StandardCharsets.UTF_8);
        letter = decode(d, emptyId, 10).get(0).deadLetter;
        assertThat(letter.getErrorMessage()).contains("'eventId' (the event id) is empty").doesNotContain("dev-1");
        assertThat(letter.getValue()).isNull();

        DecodedRecord fine = decode(d, json("e-4", "dev-1", TIME).getBytes(StandardCharsets.UTF_8), 11).get(0);
        assertThat(fine.key).as("the scorer keys and computes on the clear value").isEqualTo("dev-1");
    }
}
