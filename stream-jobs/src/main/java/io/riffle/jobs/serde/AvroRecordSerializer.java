package io.riffle.jobs.serde;

import io.riffle.schemas.serde.AvroSerde;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/** Writes a record to one topic in Avro single-object encoding, keyed by a string field. */
public final class AvroRecordSerializer<T extends SpecificRecordBase> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    /** A serializable key extractor; null keys are allowed. */
    public interface KeyOf<T> extends Function<T, String>, Serializable {}

    private final String topic;
    private final AvroSerde<T> serde;
    private final KeyOf<T> key;

    public AvroRecordSerializer(String topic, Class<T> type, KeyOf<T> key) {
        this.topic = topic;
        this.serde = AvroSerde.of(type);
        this.key = key;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        String k = key == null ? null : key.apply(element);
        return new ProducerRecord<>(topic, null, timestamp, k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                serde.encode(element));
    }
}
