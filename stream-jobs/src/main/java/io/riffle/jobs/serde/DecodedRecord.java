package io.riffle.jobs.serde;

import io.riffle.schemas.DeadLetter;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.formats.avro.typeutils.GenericRecordAvroTypeInfo;

import java.util.Map;

/**
 * What the events source of a pipeline produces for one Kafka record: the event as a generic
 * record of the pipeline's schema with its entity key and event time already read, or the dead
 * letter saying why it could not be decoded. A Flink POJO whose type information is given
 * explicitly by {@link #typeInfo(Schema)} (the record field needs the schema), so nothing goes
 * through Kryo.
 */
public class DecodedRecord {
    /** The event, or null when {@link #deadLetter} is set. */
    public GenericRecord record;
    /** The entity key (the keyBy of the features), as text. */
    public String key;
    /** Event time, epoch milliseconds. */
    public long eventTime;
    /** Kafka record timestamp, epoch milliseconds. */
    public long ingestTime;
    /** Where the record came from, for dead letters written further down. */
    public String topic;
    public int partition;
    public long offset;
    /** Set when the record could not be decoded. */
    public DeadLetter deadLetter;

    public DecodedRecord() {}

    public static DecodedRecord of(GenericRecord record, String key, long eventTime, long ingestTime, String topic,
                                   int partition, long offset) {
        DecodedRecord d = new DecodedRecord();
        d.record = record;
        d.key = key;
        d.eventTime = eventTime;
        d.ingestTime = ingestTime;
        d.topic = topic;
        d.partition = partition;
        d.offset = offset;
        return d;
    }

    public static DecodedRecord failed(DeadLetter deadLetter, long ingestTime) {
        DecodedRecord d = new DecodedRecord();
        d.deadLetter = deadLetter;
        d.ingestTime = ingestTime;
        d.topic = deadLetter.getSourceTopic();
        d.partition = deadLetter.getPartition();
        d.offset = deadLetter.getOffset();
        return d;
    }

    public boolean isDeadLetter() {
        return deadLetter != null;
    }

    /** POJO type information with an Avro serializer of {@code schema} for the record. */
    public static TypeInformation<DecodedRecord> typeInfo(Schema schema) {
        return Types.POJO(DecodedRecord.class, Map.of(
                "record", new GenericRecordAvroTypeInfo(schema),
                "key", Types.STRING,
                "eventTime", Types.LONG,
                "ingestTime", Types.LONG,
                "topic", Types.STRING,
                "partition", Types.INT,
                "offset", Types.LONG,
                "deadLetter", new AvroTypeInfo<>(DeadLetter.class)));
    }

    @Override
    public String toString() {
        return deadLetter != null ? "DecodedRecord{deadLetter=" + deadLetter.getErrorMessage() + "}"
                : "DecodedRecord{key=" + key + ", eventTime=" + eventTime + ", record=" + record + "}";
    }
}
