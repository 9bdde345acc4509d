package io.riffle.jobs.serde;

import io.riffle.modelops.features.EventTimeBounds;
import io.riffle.modelops.features.FeatureExtractor;
import io.riffle.modelops.privacy.Pseudonymizer;
import io.riffle.modelops.spec.DataFormat;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.serde.JsonRecordDecoder;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Decodes the events of a pipeline whose schema is the user's: Avro single-object encoding with
 * that schema, or JSON objects shaped like it ({@link JsonRecordDecoder#forSchema}), into generic
 * records, and reads each one's entity key, id and event time. It never throws: a record that
 * is larger than the pipeline's {@code max-record-size}, cannot be decoded, whose key, id or time
 * cannot be read, or whose time is out of bounds ({@link EventTimeBounds}) becomes a
 * {@link DecodedRecord} carrying a dead letter that names the record (topic/partition@offset) and
 * the field. (A record that made the task fail would be replayed after every restart.)
 *
 * <p>With a {@code privacy:} section ({@link Pseudonymizer}), such a dead letter carries the
 * Kafka key's token instead of the key, no value (its personal data cannot be told apart from the
 * rest of bytes that did not decode) but the value's size and SHA-256, and a message with the
 * clear key and any hashed field's values replaced by tokens (or, for a decoder's complaint about
 * a hashed field, without the value it would quote).
 */
public final class GenericEventDeserializer implements KafkaRecordDeserializationSchema<DecodedRecord> {
    private static final long serialVersionUID = 1L;

    /** The schema as JSON text: Avro schemas are parsed again in each task. */
    private final String schemaJson;
    private final DataFormat format;
    private final FeatureExtractor extractor;
    private final EventTimeBounds timeBounds;
    private final int maxRecordBytes;
    /** Null when nothing is hashed. */
    private final Pseudonymizer privacy;

    private transient Schema schema;
    private transient BinaryMessageDecoder<GenericRecord> avro;
    private transient JsonRecordDecoder<GenericData.Record> json;

    /** @param privacy what the pipeline hashes, or null for nothing */
    public GenericEventDeserializer(Schema schema, DataFormat format, FeatureExtractor extractor,
                                    EventTimeBounds timeBounds, int maxRecordBytes, Pseudonymizer privacy) {
        this.privacy = privacy;
        this.schemaJson = schema.toString();
        this.format = format;
        this.extractor = extractor;
        this.timeBounds = timeBounds;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** The deserializer of {@code spec}'s events topic. */
    public static GenericEventDeserializer of(PipelineSpec spec) {
        return new GenericEventDeserializer(spec.eventSchema(), spec.events().format(), FeatureExtractor.of(spec),
                EventTimeBounds.of(spec.events()), spec.events().maxRecordBytes(), Pseudonymizer.of(spec));
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        schema = new Schema.Parser().parse(schemaJson);
        avro = new BinaryMessageDecoder<>(GenericData.get(), schema);
        json = JsonRecordDecoder.forSchema(schema);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DecodedRecord> out) {
        if (schema == null) {
            open(null);
        }
        DecodedRecord decoded;
        GenericRecord event = null;
        try {
            event = parse(record);
            decoded = checked(record, event);
        } catch (IOException | RuntimeException | StackOverflowError e) {
            // (a stack overflow: a record nested deeper than a decoder's recursion, and only this record's)
            decoded = DecodedRecord.failed(deadLetter(record, e, event), record.timestamp());
        }
        out.collect(decoded);
    }

    /** {@code event}: the record decoded, or null when it could not be. */
    private DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record, Throwable e, GenericRecord event) {
        if (privacy == null) {
            return DeadLetters.of(record, e);
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        String clearKey = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        message = event != null ? privacy.scrub(message, event, clearKey) : privacy.scrubUndecoded(message, clearKey);
        return DeadLetters.withoutValue(record.topic(), record.partition(), record.offset(), privacy.tokenKey(record.key()),
                record.value(), e.getClass().getName(), message);
    }

    /** The event in the record's value; throws when there is none or it cannot be decoded. */
    private GenericRecord parse(ConsumerRecord<byte[], byte[]> record) throws IOException {
        if (record.value() == null) {
            throw new IllegalArgumentException("the record has no value");
        }
        long size = (long) record.value().length + (record.key() == null ? 0 : record.key().length);
        if (size > maxRecordBytes) {
            throw new IllegalArgumentException("the record is " + size + " bytes, larger than the events' "
                    + "max-record-size of " + maxRecordBytes + " bytes");
        }
        GenericRecord event;
        if (format == DataFormat.JSON) {
            event = json.decode(record.value());
        } else {
            try {
                event = avro.decode(record.value());
            } catch (IOException | RuntimeException e) {
                throw new IOException("cannot decode a " + schema.getName() + " from " + record.value().length
                        + " bytes of Avro single-object encoding (is the producer writing this schema, or JSON"
                        + " to a topic the pipeline file declares avro?): " + e.getMessage(), e);
            }
        }
        return event;
    }

    /** The decoded event with its key, id and time read, or throws naming the field that is wrong. */
    private DecodedRecord checked(ConsumerRecord<byte[], byte[]> record, GenericRecord event) {
        String key = extractor.entityKey(event);
        if (key.isEmpty()) {
            throw new IllegalArgumentException(schema.getName() + " field '" + extractor.spec().entityKey()
                    + "' (the entity key) is empty");
        }
        if (extractor.idField() != null) {
            Object id = extractor.eventId(event);
            if (id == null || id.toString().isEmpty()) {
                throw new IllegalArgumentException(schema.getName() + " field '" + extractor.idField() + "' (the event id) is "
                        + (id == null ? "missing" : "empty"));
            }
        }
        long eventTime = extractor.eventTime(event);
        String outOfBounds = timeBounds.violation(eventTime, record.timestamp());
        if (outOfBounds != null) {
            throw new IllegalArgumentException(schema.getName() + " " + outOfBounds);
        }
        return DecodedRecord.of(event, key, eventTime, record.timestamp(), record.topic(), record.partition(),
                record.offset());
    }

    @Override
    public TypeInformation<DecodedRecord> getProducedType() {
        return DecodedRecord.typeInfo(new Schema.Parser().parse(schemaJson));
    }
}
