package io.riffle.jobs.serde;

import io.riffle.schemas.DeadLetter;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.ByteBuffer;

/** Builds {@link DeadLetter}s that say which record failed and why. */
public final class DeadLetters {
    /** Longest error message kept; a dead letter must stay small whatever the cause. */
    static final int MAX_MESSAGE = 2000;

    private DeadLetters() {}

    public static DeadLetter of(ConsumerRecord<byte[], byte[]> record, Throwable error) {
        return of(record.topic(), record.partition(), record.offset(), record.key(), record.value(), error);
    }

    public static DeadLetter of(String topic, int partition, long offset, byte[] key, byte[] value, Throwable error) {
        String message = error.getMessage() == null ? error.toString() : error.getMessage();
        return of(topic, partition, offset, key, value, error.getClass().getName(), message);
    }

    public static DeadLetter of(String topic, int partition, long offset, byte[] key, byte[] value,
                                String errorClass, String message) {
        String located = message + " (record " + topic + "/" + partition + "@" + offset + ")";
        if (located.length() > MAX_MESSAGE) {
            located = located.substring(0, MAX_MESSAGE - 3) + "...";
        }
        return new DeadLetter(topic, partition, offset,
                key == null ? null : ByteBuffer.wrap(key),
                value == null ? null : ByteBuffer.wrap(value),
                errorClass, located, System.currentTimeMillis());
    }
}
