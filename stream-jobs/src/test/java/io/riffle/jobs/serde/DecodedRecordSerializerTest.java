package io.riffle.jobs.serde;

import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.DeadLetter;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The keyed shuffle's serializer of decoded events: every field survives, whichever are absent. */
class DecodedRecordSerializerTest {

    private static Schema schema() throws Exception {
        return PipelineSpec.load(Path.of("../pipelines/demo.yaml")).eventSchema();
    }

    private static GenericRecord event(Schema schema, int i) {
        GenericRecord e = new GenericData.Record(schema);
        e.put("eventId", "t-" + i);
        e.put("cardId", "card-" + i);
        e.put("merchantId", "m-ü-" + i);
        e.put("amount", 12.5 * i);
        e.put("currency", "EUR");
        e.put("country", "DE");
        e.put("channel", "POS");
        e.put("merchantCategory", "5411");
        e.put("eventTime", 1_767_225_600_000L + i);
        return e;
    }

    private static DecodedRecord roundTrip(TypeSerializer<DecodedRecord> serializer, DecodedRecord d) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(d, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        DecodedRecord back = serializer.deserialize(in);
        assertThat(in.available()).isZero();
        return back;
    }

    private static void assertSame(DecodedRecord actual, DecodedRecord expected) {
        // GenericData.Record equality compares field values by schema (a String equals its decoded Utf8)
        assertThat(actual.record).isEqualTo(expected.record);
        assertThat(actual.deadLetter).isEqualTo(expected.deadLetter);
        assertThat(actual).usingRecursiveComparison().ignoringFields("record", "deadLetter").isEqualTo(expected);
    }

    @Test
    void roundTripsEventsAndDeadLettersWithAnyFieldAbsent() throws Exception {
        Schema schema = schema();
        TypeSerializer<DecodedRecord> serializer = new DecodedRecordTypeInfo(schema).createSerializer(new SerializerConfigImpl());
        DeadLetter dead = DeadLetters.of("riffle.events", 1, 42L, new byte[] {1, 2}, new byte[] {3},
                new IllegalArgumentException("field 'amount' is not a number"));
        List<DecodedRecord> cases = List.of(
                DecodedRecord.of(event(schema, 1), "card-1", 1_767_225_600_001L, 1_767_225_600_009L, "riffle.events", 3, 77L),
                DecodedRecord.of(event(schema, 2), "card-2", 5L, 6L, null, 0, 0L),
                DecodedRecord.failed(dead, 123L),
                new DecodedRecord());
        for (DecodedRecord d : cases) {
            assertSame(roundTrip(serializer, d), d);
            assertSame(serializer.copy(d), d);
            assertSame(roundTrip(serializer.duplicate(), d), d);
        }
        // a copy is deep: changing it leaves the original as it was
        DecodedRecord copy = serializer.copy(cases.get(0));
        copy.record.put("amount", -1.0);
        assertThat(cases.get(0).record.get("amount")).isEqualTo(12.5);
    }

    @Test
    void oneInstanceCarriesManyEventsOneAfterAnotherWhateverTheirSize() throws Exception {
        Schema schema = schema();
        DecodedRecordSerializer serializer = new DecodedRecordSerializer(schema);
        List<DecodedRecord> sent = new ArrayList<>();
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (int i = 0; i < 50; i++) {
            GenericRecord e = event(schema, i);
            if (i % 7 == 3) {
                // larger than the reused buffers, once even beyond what they keep afterwards
                e.put("merchantId", "m".repeat(i == 3 ? 100_000 : 300 + i));
            }
            DecodedRecord d = i % 10 == 9
                    ? DecodedRecord.failed(DeadLetters.of("riffle.events", 0, i, null, new byte[] {(byte) i},
                            new IllegalArgumentException("bad " + i)), i)
                    : DecodedRecord.of(e, "card-" + i, i, i + 1, "riffle.events", i % 2, i);
            serializer.serialize(d, out);
            sent.add(d);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (DecodedRecord d : sent) {
            assertSame(serializer.deserialize(in), d);
        }
        assertThat(in.available()).isZero();
    }

    @Test
    void itsSnapshotRestoresTheSameSerializerAndRefusesAnotherSchema() throws Exception {
        Schema schema = schema();
        DecodedRecordSerializer serializer = new DecodedRecordSerializer(schema);
        DataOutputSerializer out = new DataOutputSerializer(256);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
        TypeSerializerSnapshot<DecodedRecord> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(restored.restoreSerializer()).isEqualTo(serializer);
        assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(restored).isCompatibleAsIs()).isTrue();
        Schema other = Schema.createRecord("Other", null, "x", false,
                List.of(new Schema.Field("id", Schema.create(Schema.Type.STRING))));
        assertThat(new DecodedRecordSerializer(other).snapshotConfiguration().resolveSchemaCompatibility(restored)
                .isIncompatible()).isTrue();
    }
}
