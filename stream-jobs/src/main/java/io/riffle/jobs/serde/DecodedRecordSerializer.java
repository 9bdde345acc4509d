package io.riffle.jobs.serde;

import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.serde.AvroClassAllowList;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/**
 * How a {@link DecodedRecord} crosses the keyed shuffle: a flag byte saying which fields are
 * present, the entity key, times and source position, then the event in Avro binary with the
 * pipeline's schema (or the dead letter). Every event goes through it; Flink's POJO serializer
 * did the same with a null mask per field and, for every record, a fresh instance of each field's
 * type (an empty event and an empty dead letter) only to overwrite it.
 */
public final class DecodedRecordSerializer extends FreshInstanceSerializer<DecodedRecord> {
    private static final long serialVersionUID = 1L;
    private static final int RECORD = 1;
    private static final int KEY = 2;
    private static final int TOPIC = 4;
    private static final int DEAD_LETTER = 8;

    private final String schemaJson;
    private final TypeSerializer<GenericRecord> records;
    private final TypeSerializer<DeadLetter> deadLetters;

    public DecodedRecordSerializer(Schema schema) {
        this(schema.toString(), new AvroSerializer<>(GenericRecord.class, schema), new AvroSerializer<>(DeadLetter.class));
    }

    private DecodedRecordSerializer(String schemaJson, TypeSerializer<GenericRecord> records,
                                    TypeSerializer<DeadLetter> deadLetters) {
        this.schemaJson = schemaJson;
        this.records = records;
        this.deadLetters = deadLetters;
    }

    @Override
    public TypeSerializer<DecodedRecord> duplicate() {
        return new DecodedRecordSerializer(schemaJson, records.duplicate(), deadLetters.duplicate());
    }

    @Override
    public DecodedRecord createInstance() {
        return new DecodedRecord();
    }

    @Override
    public DecodedRecord copy(DecodedRecord from) {
        DecodedRecord to = new DecodedRecord();
        to.record = from.record == null ? null : records.copy(from.record);
        to.key = from.key;
        to.eventTime = from.eventTime;
        to.ingestTime = from.ingestTime;
        to.topic = from.topic;
        to.partition = from.partition;
        to.offset = from.offset;
        to.deadLetter = from.deadLetter == null ? null : deadLetters.copy(from.deadLetter);
        return to;
    }

    @Override
    public void serialize(DecodedRecord d, DataOutputView out) throws IOException {
        out.writeByte((d.record != null ? RECORD : 0) | (d.key != null ? KEY : 0) | (d.topic != null ? TOPIC : 0)
                | (d.deadLetter != null ? DEAD_LETTER : 0));
        if (d.key != null) {
            StringValue.writeString(d.key, out);
        }
        out.writeLong(d.eventTime);
        out.writeLong(d.ingestTime);
        if (d.topic != null) {
            StringValue.writeString(d.topic, out);
        }
        out.writeInt(d.partition);
        out.writeLong(d.offset);
        if (d.record != null) {
            records.serialize(d.record, out);
        }
        if (d.deadLetter != null) {
            deadLetters.serialize(d.deadLetter, out);
        }
    }

    @Override
    public DecodedRecord deserialize(DataInputView in) throws IOException {
        DecodedRecord d = new DecodedRecord();
        int flags = in.readByte();
        if ((flags & KEY) != 0) {
            d.key = StringValue.readString(in);
        }
        d.eventTime = in.readLong();
        d.ingestTime = in.readLong();
        if ((flags & TOPIC) != 0) {
            d.topic = StringValue.readString(in);
        }
        d.partition = in.readInt();
        d.offset = in.readLong();
        if ((flags & RECORD) != 0) {
            d.record = records.deserialize(in);
        }
        if ((flags & DEAD_LETTER) != 0) {
            // Avro builds generated records only of trusted classes: trusted here, whichever task
            // reads this, not only those whose operators decode Riffle's records themselves
            AvroClassAllowList.allowRiffleRecords();
            d.deadLetter = deadLetters.deserialize(in);
        }
        return d;
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof DecodedRecordSerializer other && schemaJson.equals(other.schemaJson);
    }

    @Override
    public int hashCode() {
        return schemaJson.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<DecodedRecord> snapshotConfiguration() {
        return new Snapshot(schemaJson);
    }

    /** The event schema, which the serializer needs; another schema is incompatible. */
    public static final class Snapshot implements TypeSerializerSnapshot<DecodedRecord> {
        private String schemaJson;

        public Snapshot() {}

        Snapshot(String schemaJson) {
            this.schemaJson = schemaJson;
        }

        @Override
        public int getCurrentVersion() {
            return 1;
        }

        @Override
        public void writeSnapshot(DataOutputView out) throws IOException {
            StringValue.writeString(schemaJson, out);
        }

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader) throws IOException {
            schemaJson = StringValue.readString(in);
        }

        @Override
        public TypeSerializer<DecodedRecord> restoreSerializer() {
            return new DecodedRecordSerializer(new Schema.Parser().parse(schemaJson));
        }

        @Override
        public TypeSerializerSchemaCompatibility<DecodedRecord> resolveSchemaCompatibility(
                TypeSerializerSnapshot<DecodedRecord> oldSnapshot) {
            return oldSnapshot instanceof Snapshot old && schemaJson.equals(old.schemaJson)
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }
}
