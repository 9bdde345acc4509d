package io.riffle.jobs.serde;

import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.Transaction;

/**
 * What the events source produces for one Kafka record: the decoded event with its Kafka
 * timestamp (the ingestion time latency is measured from), or the dead letter saying why it
 * could not be decoded. A Flink POJO whose fields have Avro type information.
 */
public class DecodedEvent {
    /** The event, or null when {@link #deadLetter} is set. */
    public Transaction event;
    /** Kafka record timestamp, epoch milliseconds. */
    public long ingestTime;
    /** Set when the record could not be decoded. */
    public DeadLetter deadLetter;

    public DecodedEvent() {}

    public static DecodedEvent of(Transaction event, long ingestTime) {
        DecodedEvent d = new DecodedEvent();
        d.event = event;
        d.ingestTime = ingestTime;
        return d;
    }

    public static DecodedEvent failed(DeadLetter deadLetter, long ingestTime) {
        DecodedEvent d = new DecodedEvent();
        d.deadLetter = deadLetter;
        d.ingestTime = ingestTime;
        return d;
    }

    public boolean isDeadLetter() {
        return deadLetter != null;
    }
}
