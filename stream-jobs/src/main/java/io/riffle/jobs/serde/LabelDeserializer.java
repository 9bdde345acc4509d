package io.riffle.jobs.serde;

import io.riffle.schemas.Label;
import io.riffle.schemas.serde.AvroSerde;
import io.riffle.schemas.serde.JsonRecordDecoder;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes the labels topic (Avro single-object encoding or plain JSON) in the source reader,
 * keeping the record's coordinates with the label. It never throws: a record that cannot be
 * decoded, or a label without an event id (the join key), becomes a {@link DecodedLabel} carrying
 * a dead letter that names the record and the field.
 */
public final class LabelDeserializer implements KafkaRecordDeserializationSchema<DecodedLabel> {
    private static final long serialVersionUID = 1L;

    private final EventFormat format;
    private transient AvroSerde<Label> avro;
    private transient JsonRecordDecoder<Label> json;

    public LabelDeserializer(EventFormat format) {
        this.format = format;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        avro = AvroSerde.of(Label.class);
        json = JsonRecordDecoder.of(Label.class);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedLabel> out) {
        if (avro == null) {
            open(null);
        }
        try {
            if (record.value() == null) {
                throw new IllegalArgumentException("cannot decode Label: the value is null");
            }
            Label label = format == EventFormat.JSON ? json.decode(record.value()) : avro.decode(record.value());
            if (label.getEventId() == null || label.getEventId().isEmpty()) {
                throw new IllegalArgumentException("Label field 'eventId' (the join key) is empty");
            }
            out.collect(DecodedLabel.of(label, record.topic(), record.partition(), record.offset(), record.key(),
                    record.value()));
        } catch (RuntimeException e) {
            out.collect(DecodedLabel.failed(DeadLetters.of(record, e)));
        }
    }

    @Override
    public TypeInformation<DecodedLabel> getProducedType() {
        return TypeInformation.of(DecodedLabel.class);
    }
}
