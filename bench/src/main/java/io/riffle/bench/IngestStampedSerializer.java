package io.riffle.bench;

import io.riffle.jobs.serde.DecodedRecord;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The passthrough's sink serializer: the decoded event re-encoded with the same Avro schema and
 * encoding (single-object), keyed by its entity, with the input's Kafka timestamp in header
 * {@value #INGEST_HEADER} (8 bytes, big-endian) so the latency audit can read it without a schema
 * of its own.
 */
final class IngestStampedSerializer implements KafkaRecordSerializationSchema<DecodedRecord> {
    private static final long serialVersionUID = 1L;
    static final String INGEST_HEADER = "riffle-ingest-ms";

    private final String topic;
    /** The schema as JSON text: Avro schemas are parsed again in each task. */
    private final String schemaJson;
    private transient BinaryMessageEncoder<GenericRecord> encoder;

    IngestStampedSerializer(String topic, Schema schema) {
        this.topic = topic;
        this.schemaJson = schema.toString();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DecodedRecord element, KafkaSinkContext context, Long timestamp) {
        if (encoder == null) {
            encoder = new BinaryMessageEncoder<>(GenericData.get(), new Schema.Parser().parse(schemaJson));
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader(INGEST_HEADER, ByteBuffer.allocate(8).putLong(element.ingestTime).array()));
        byte[] value;
        try {
            ByteBuffer encoded = encoder.encode(element.record);
            value = new byte[encoded.remaining()];
            encoded.get(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ProducerRecord<>(topic, null, timestamp, element.key.getBytes(StandardCharsets.UTF_8), value,
                headers);
    }
}
