package io.riffle.jobs.serde;

import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the models topic. A record that is not a {@link ModelVersion} cannot name the model it
 * was meant for, so it is logged with its offset and skipped (tombstones of the compacted topic
 * too): the serving models stay as they are.
 */
public final class ModelVersionDeserializer implements KafkaRecordDeserializationSchema<ModelVersion> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModelVersionDeserializer.class);

    private transient AvroSerde<ModelVersion> serde;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        serde = AvroSerde.of(ModelVersion.class);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ModelVersion> out) {
        if (serde == null) {
            open(null);
        }
        if (record.value() == null) {
            return;
        }
        try {
            out.collect(serde.decode(record.value()));
        } catch (RuntimeException e) {
            LOG.error("Skipping record {}/{}@{} of the models topic: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        }
    }

    @Override
    public TypeInformation<ModelVersion> getProducedType() {
        return new AvroTypeInfo<>(ModelVersion.class);
    }
}
