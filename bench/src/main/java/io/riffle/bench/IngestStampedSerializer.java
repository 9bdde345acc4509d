package io.riffle.bench;

import io.riffle.jobs.serde.DecodedEvent;
import io.riffle.schemas.Transaction;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The passthrough's sink serializer: the event re-encoded with the same Avro serde, keyed by card,
 * with the input's Kafka timestamp in header {@value #INGEST_HEADER} (8 bytes, big-endian) so the
 * latency audit can read it without a schema of its own.
 */
final class IngestStampedSerializer implements KafkaRecordSerializationSchema<DecodedEvent> {
    private static final long serialVersionUID = 1L;
    static final String INGEST_HEADER = "riffle-ingest-ms";

    private final String topic;
    private final AvroSerde<Transaction> serde = AvroSerde.of(Transaction.class);

    IngestStampedSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DecodedEvent element, KafkaSinkContext context, Long timestamp) {
        Transaction t = element.event;
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader(INGEST_HEADER, ByteBuffer.allocate(8).putLong(element.ingestTime).array()));
        return new ProducerRecord<>(topic, null, timestamp, t.getCardId().getBytes(StandardCharsets.UTF_8),
                serde.encode(t), headers);
    }
}
