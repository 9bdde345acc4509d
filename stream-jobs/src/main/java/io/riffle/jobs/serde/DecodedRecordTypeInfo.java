package io.riffle.jobs.serde;

import org.apache.avro.Schema;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information of {@link DecodedRecord}s of one event schema: serialized by {@link DecodedRecordSerializer}. */
public final class DecodedRecordTypeInfo extends SingleValueTypeInfo<DecodedRecord> {
    private static final long serialVersionUID = 1L;

    /** As JSON text: Avro schemas are not serializable. */
    private final String schemaJson;

    public DecodedRecordTypeInfo(Schema schema) {
        this.schemaJson = schema.toString();
    }

    @Override
    public Class<DecodedRecord> getTypeClass() {
        return DecodedRecord.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<DecodedRecord> createSerializer(SerializerConfig config) {
        return new DecodedRecordSerializer(new Schema.Parser().parse(schemaJson));
    }

    @Override
    public String toString() {
        return "DecodedRecord<" + new Schema.Parser().parse(schemaJson).getFullName() + ">";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof DecodedRecordTypeInfo other && schemaJson.equals(other.schemaJson);
    }

    @Override
    public int hashCode() {
        return schemaJson.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof DecodedRecordTypeInfo;
    }
}
