package io.riffle.jobs.serde;

import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.avro.Schema;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the features topic (Avro single-object encoding) in the source reader. It never
 * throws: a record that cannot be decoded, or a vector without an event id (the join key),
 * becomes a {@link DecodedFeatureVector} carrying a dead letter.
 */
public final class FeatureVectorDeserializer implements KafkaRecordDeserializationSchema<DecodedFeatureVector> {
    private static final long serialVersionUID = 1L;

    private transient AvroSerde<FeatureVector> avro;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        // Vectors written before FeatureVector had labelValue stay readable (it reads as null).
        avro = AvroSerde.of(FeatureVector.class).addWriterSchema(withoutLabelValue());
    }

    /** FeatureVector as it was before {@code labelValue}: the writer schema of older features topics. */
    static Schema withoutLabelValue() {
        Schema current = FeatureVector.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : current.getFields()) {
            if (!f.name().equals("labelValue")) {
                fields.add(new Schema.Field(f, f.schema()));
            }
        }
        return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedFeatureVector> out) {
        if (avro == null) {
            open(null);
        }
        try {
            FeatureVector vector = avro.decode(record.value());
            if (vector.getEventId() == null || vector.getEventId().isEmpty()) {
                throw new IllegalArgumentException("FeatureVector field 'eventId' (the join key) is empty");
            }
            out.collect(DecodedFeatureVector.of(vector));
        } catch (RuntimeException e) {
            out.collect(DecodedFeatureVector.failed(DeadLetters.of(record, e)));
        }
    }

    @Override
    public TypeInformation<DecodedFeatureVector> getProducedType() {
        return TypeInformation.of(DecodedFeatureVector.class);
    }
}
