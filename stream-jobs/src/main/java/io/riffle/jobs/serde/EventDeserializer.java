package io.riffle.jobs.serde;

import io.riffle.modelops.spec.DataFormat;
import io.riffle.schemas.Transaction;
import io.riffle.schemas.serde.AvroSerde;
import io.riffle.schemas.serde.JsonRecordDecoder;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes event records in the source reader. It never throws: a record that cannot be decoded,
 * or decodes to an event without an id or entity, becomes a {@link DecodedEvent} carrying a
 * dead letter, so the job keeps running and every record is accounted for.
 */
public final class EventDeserializer implements KafkaRecordDeserializationSchema<DecodedEvent> {
    private static final long serialVersionUID = 1L;

    private final DataFormat format;
    private transient AvroSerde<Transaction> avro;
    private transient JsonRecordDecoder<Transaction> json;

    public EventDeserializer(DataFormat format) {
        this.format = format;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        avro = AvroSerde.of(Transaction.class);
        json = JsonRecordDecoder.of(Transaction.class);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedEvent> out) {
        if (avro == null) {
            open(null);
        }
        try {
            Transaction event = format == DataFormat.JSON ? json.decode(record.value()) : avro.decode(record.value());
            if (event.getEventId() == null || event.getEventId().isEmpty()) {
                throw new IllegalArgumentException("Transaction field 'eventId' is empty");
            }
            if (event.getCardId() == null || event.getCardId().isEmpty()) {
                throw new IllegalArgumentException("Transaction field 'cardId' (the entity key) is empty");
            }
            out.collect(DecodedEvent.of(event, record.timestamp()));
        } catch (RuntimeException e) {
            out.collect(DecodedEvent.failed(DeadLetters.of(record, e), record.timestamp()));
        }
    }

    @Override
    public TypeInformation<DecodedEvent> getProducedType() {
        return TypeInformation.of(DecodedEvent.class);
    }
}
