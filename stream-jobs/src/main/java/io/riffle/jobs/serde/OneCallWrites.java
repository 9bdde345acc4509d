package io.riffle.jobs.serde;

import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * A cleared per-thread buffer to write a value into before handing it to a checkpoint stream in
 * one call: the stream's per-call cost (a synchronized write, byte by byte for Flink's own
 * serializers) was most of the asynchronous snapshot's time. Per thread because serializers may
 * be shared between the task thread and the snapshot threads. Not re-entrant: hand the buffer on
 * before anything else on the thread asks for it (the key and the state are written one after the
 * other, never one inside the other).
 */
public final class OneCallWrites {
    private static final ThreadLocal<DataOutputSerializer> BUFFER =
            ThreadLocal.withInitial(() -> new DataOutputSerializer(1024));

    private OneCallWrites() {}

    /** This thread's buffer, empty; hand it on with {@code out.write(b.getSharedBuffer(), 0, b.length())}. */
    public static DataOutputSerializer buffer() {
        DataOutputSerializer buffer = BUFFER.get();
        buffer.clear();
        return buffer;
    }
}
