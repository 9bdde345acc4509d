package io.riffle.jobs.serde;

import io.riffle.modelops.validation.Digests;
import io.riffle.schemas.DeadLetter;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Builds {@link DeadLetter}s that say which record failed and why, and that always fit the
 * dead-letter sink: a dead letter too large for the producer's {@code max.request.size} (1 MiB by
 * default) would fail the sink, the job would restart, replay the same record and fail again.
 * So the message is cut at {@link #MAX_MESSAGE} characters and the key and value at
 * {@link #MAX_PAYLOAD} bytes each; a cut value keeps the original's size and SHA-256.
 */
public final class DeadLetters {
    /** Longest error message kept. */
    static final int MAX_MESSAGE = 2000;
    /** Most bytes of a record's key or value a dead letter carries: with the message, well under 1 MiB. */
    public static final int MAX_PAYLOAD = 64 * 1024;

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
        DeadLetter letter = new DeadLetter(topic, partition, offset, prefix(key), prefix(value), errorClass, located,
                System.currentTimeMillis(), null, null);
        if (value != null && value.length > MAX_PAYLOAD) {
            letter.setSize(value.length);
            letter.setSha256(Digests.sha256Hex(value));
        }
        return letter;
    }

    /**
     * A dead letter of a record whose value cannot be carried (privacy: an undecodable record's
     * personal data cannot be told apart from the rest of its bytes): no value, only its size and
     * SHA-256, so it can still be matched to the original. {@code key} and {@code message} are
     * the caller's, already pseudonymized.
     */
    public static DeadLetter withoutValue(String topic, int partition, long offset, byte[] key, byte[] value,
                                          String errorClass, String message) {
        DeadLetter letter = of(topic, partition, offset, key, null, errorClass, message);
        if (value != null) {
            letter.setSize(value.length);
            letter.setSha256(Digests.sha256Hex(value));
        }
        return letter;
    }

    private static ByteBuffer prefix(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        return ByteBuffer.wrap(bytes.length > MAX_PAYLOAD ? Arrays.copyOf(bytes, MAX_PAYLOAD) : bytes);
    }
}
