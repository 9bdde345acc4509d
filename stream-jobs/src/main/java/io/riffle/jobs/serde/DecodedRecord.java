package io.riffle.jobs.serde;

import io.riffle.schemas.DeadLetter;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;


/**
 * What the events source of a pipeline produces for one Kafka record: the event as a generic
 * record of the pipeline's schema with its entity key and event time already read, or the dead
 * letter saying why it could not be decoded. Its type information, {@link #typeInfo(Schema)},
 * serializes it with {@link DecodedRecordSerializer} (the record needs the schema), so nothing
 * goes through Kryo.
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

    /** Type information whose serializer ({@link DecodedRecordSerializer}) writes the record with {@code schema}. */
    public static TypeInformation<DecodedRecord> typeInfo(Schema schema) {
        return new DecodedRecordTypeInfo(schema);
    }

    @Override
    public String toString() {
        return deadLetter != null ? "DecodedRecord{deadLetter=" + deadLetter.getErrorMessage() + "}"
                : "DecodedRecord{key=" + key + ", eventTime=" + eventTime + ", record=" + record + "}";
    }
}
