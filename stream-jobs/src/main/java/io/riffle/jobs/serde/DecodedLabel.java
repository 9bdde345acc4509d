package io.riffle.jobs.serde;

import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.Label;

/**
 * What the labels source produces for one Kafka record: the label together with the record it
 * came from (topic, partition, offset, raw key and value), so that a label the join cannot match
 * still becomes a dead letter naming its record; or the dead letter saying why the record could
 * not be decoded. A Flink POJO whose fields have Avro or primitive-array type information.
 */
public class DecodedLabel {
    /** The label, or null when {@link #deadLetter} is set. */
    public Label label;
    public String topic;
    public int partition;
    public long offset;
    /** The record's raw key and value, kept for the dead letter of an unmatched label. */
    public byte[] key;
    public byte[] value;
    /** Set when the record could not be decoded. */
    public DeadLetter deadLetter;

    public DecodedLabel() {}

    public static DecodedLabel of(Label label, String topic, int partition, long offset, byte[] key, byte[] value) {
        DecodedLabel d = new DecodedLabel();
        d.label = label;
        d.topic = topic;
        d.partition = partition;
        d.offset = offset;
        d.key = key;
        d.value = value;
        return d;
    }

    public static DecodedLabel failed(DeadLetter deadLetter) {
        DecodedLabel d = new DecodedLabel();
        d.deadLetter = deadLetter;
        d.topic = deadLetter.getSourceTopic();
        d.partition = deadLetter.getPartition();
        d.offset = deadLetter.getOffset();
        return d;
    }

    public boolean isDeadLetter() {
        return deadLetter != null;
    }

    /** {@code topic/partition@offset}, as dead letters and logs name a record. */
    public String where() {
        return topic + "/" + partition + "@" + offset;
    }
}
