package io.riffle.jobs.serde;

import io.riffle.modelops.spec.DataFormat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
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
 *
 * <p>JSON labels may name their event-id and label fields as the user's system does (a pipeline
 * file's {@code labels.event-id} / {@code labels.label}); a JSON label without {@code labelTime}
 * takes its Kafka record timestamp. Avro labels use the {@code Label} schema.
 */
public final class LabelDeserializer implements KafkaRecordDeserializationSchema<DecodedLabel> {
    private static final long serialVersionUID = 1L;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final DataFormat format;
    private final String eventIdField;
    private final String labelField;
    private transient AvroSerde<Label> avro;
    private transient JsonRecordDecoder<Label> json;

    public LabelDeserializer(DataFormat format) {
        this(format, "eventId", "label");
    }

    /** JSON labels whose event id and label are in the fields {@code eventIdField} and {@code labelField}. */
    public LabelDeserializer(DataFormat format, String eventIdField, String labelField) {
        this.format = format;
        this.eventIdField = eventIdField;
        this.labelField = labelField;
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
            Label label = format == DataFormat.JSON ? decodeJson(record) : avro.decode(record.value());
            if (label.getEventId() == null || label.getEventId().isEmpty()) {
                throw new IllegalArgumentException("Label field '" + (format == DataFormat.JSON ? eventIdField : "eventId")
                        + "' (the join key) is empty");
            }
            out.collect(DecodedLabel.of(label, record.topic(), record.partition(), record.offset(), record.key(),
                    record.value()));
        } catch (RuntimeException e) {
            out.collect(DecodedLabel.failed(DeadLetters.of(record, e)));
        }
    }

    /** Renames the user's fields to the Label schema's and defaults the label time, then decodes with coercion. */
    private Label decodeJson(ConsumerRecord<byte[], byte[]> record) {
        JsonNode node;
        try {
            node = MAPPER.readTree(record.value());
        } catch (IOException e) {
            return json.decode(record.value());     // reports the JSON syntax error
        }
        if (node == null || !node.isObject()) {
            return json.decode(record.value());
        }
        ObjectNode label = MAPPER.createObjectNode();
        JsonNode id = node.get(eventIdField);
        JsonNode value = node.get(labelField);
        if (id == null) {
            throw new IllegalArgumentException("Label field '" + eventIdField + "' (the join key) is missing");
        }
        if (value == null) {
            throw new IllegalArgumentException("Label field '" + labelField + "' is missing");
        }
        label.set("eventId", id);
        label.set("label", value);
        JsonNode time = node.get("labelTime");
        label.set("labelTime", time != null ? time : MAPPER.getNodeFactory().numberNode(record.timestamp()));
        try {
            return json.decode(MAPPER.writeValueAsBytes(label));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot re-encode label: " + e.getMessage(), e);
        }
    }

    @Override
    public TypeInformation<DecodedLabel> getProducedType() {
        return TypeInformation.of(DecodedLabel.class);
    }
}
