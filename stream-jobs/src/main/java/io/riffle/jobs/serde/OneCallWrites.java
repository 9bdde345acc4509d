package io.riffle.jobs.serde;

import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * A cleared per-thread buffer (or a bare array, {@link #array}) to write a value into before handing
 * it to a checkpoint stream in one call: the stream's per-call cost (a synchronized write, byte by byte for Flink's own
 * serializers) was most of the asynchronous snapshot's time. Per thread because serializers may
 * be shared between the task thread and the snapshot threads. Not re-entrant: hand the buffer on
 * before anything else on the thread asks for it (the key and the state are written one after the
 * other, never one inside the other).
 */
public final class OneCallWrites {
    private static final ThreadLocal<DataOutputSerializer> BUFFER =
            ThreadLocal.withInitial(() -> new DataOutputSerializer(1024));
    /** This thread's array for {@link #array}: one element, replaced as it grows. */
    private static final ThreadLocal<byte[][]> ARRAY = ThreadLocal.withInitial(() -> new byte[][] {new byte[4096]});
    /** An array grown beyond this is handed out once and not kept: one huge value does not pin its size. */
    private static final int KEPT_ARRAY = 1 << 20;

    private OneCallWrites() {}

    /**
     * This thread's byte array of at least {@code length} bytes, for a serializer that fills it
     * itself (e.g. many longs at once) and hands it on with {@code out.write(a, 0, length)}, or reads
     * into it; the same rule as {@link #buffer()}: hand it on before anything else on the thread asks.
     */
    public static byte[] array(int length) {
        byte[][] holder = ARRAY.get();
        byte[] a = holder[0];
        if (a.length >= length) {
            return a;
        }
        a = new byte[Math.max(length, 2 * a.length)];
        if (a.length <= KEPT_ARRAY) {
            holder[0] = a;
        }
        return a;
    }

    /** This thread's buffer, empty; hand it on with {@code out.write(b.getSharedBuffer(), 0, b.length())}. */
    public static DataOutputSerializer buffer() {
        DataOutputSerializer buffer = BUFFER.get();
        buffer.clear();
        return buffer;
    }
}
