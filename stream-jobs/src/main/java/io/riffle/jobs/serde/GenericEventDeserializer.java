package io.riffle.jobs.serde;

import io.riffle.modelops.decode.DecodedEvent;
import io.riffle.modelops.decode.EventDecoder;
import io.riffle.modelops.privacy.Pseudonymizer;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.DeadLetter;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;

/**
 * The events source's Flink adapter over the Flink-free {@link EventDecoder}: each Kafka record
 * becomes a {@link DecodedRecord}, either the event with its key and time or, when the decoder
 * refuses it, a dead letter that names the record (topic/partition@offset) and the field or cause.
 * It never throws: a record that made the task fail would be replayed after every restart.
 *
 * <p>With a {@code privacy:} section ({@link Pseudonymizer}), such a dead letter carries the
 * Kafka key's token instead of the key, no value (its personal data cannot be told apart from the
 * rest of bytes that did not decode) but the value's size and SHA-256, and a message with the
 * clear key and any hashed field's values replaced by tokens (or, for a decoder's complaint about
 * a hashed field, without the value it would quote).
 */
public final class GenericEventDeserializer implements KafkaRecordDeserializationSchema<DecodedRecord> {
    private static final long serialVersionUID = 1L;

    private final EventDecoder decoder;
    /** Null when nothing is hashed. */
    private final Pseudonymizer privacy;

    /** @param privacy what the pipeline hashes, or null for nothing */
    public GenericEventDeserializer(EventDecoder decoder, Pseudonymizer privacy) {
        this.decoder = decoder;
        this.privacy = privacy;
    }

    /** The deserializer of {@code spec}'s events topic. */
    public static GenericEventDeserializer of(PipelineSpec spec) {
        return new GenericEventDeserializer(EventDecoder.of(spec), Pseudonymizer.of(spec));
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        decoder.open();
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedRecord> out) {
        DecodedEvent event = decoder.decode(record.key(), record.value(), record.timestamp());
        out.collect(event.isRefused()
                ? DecodedRecord.failed(deadLetter(record, event), record.timestamp())
                : DecodedRecord.of(event.record(), event.key(), event.eventTime(), record.timestamp(), record.topic(),
                        record.partition(), record.offset()));
    }

    private DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record, DecodedEvent refused) {
        if (privacy == null) {
            return DeadLetters.of(record, refused.error());
        }
        String clearKey = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        String message = refused.record() != null ? privacy.scrub(refused.message(), refused.record(), clearKey)
                : privacy.scrubUndecoded(refused.message(), clearKey);
        return DeadLetters.withoutValue(record.topic(), record.partition(), record.offset(), privacy.tokenKey(record.key()),
                record.value(), refused.error().getClass().getName(), message);
    }

    @Override
    public TypeInformation<DecodedRecord> getProducedType() {
        return DecodedRecord.typeInfo(decoder.schema());
    }
}
