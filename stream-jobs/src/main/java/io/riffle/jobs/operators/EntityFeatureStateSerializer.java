package io.riffle.jobs.operators;

import io.riffle.jobs.serde.FreshInstanceSerializer;
import io.riffle.jobs.serde.OneCallWrites;
import io.riffle.modelops.features.EntityFeatureState;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Writes an {@link EntityFeatureState} with only the entries its slots use: an entity with a few
 * events has a few entries, so its checkpointed (and, on RocksDB, stored) state is a few hundred
 * bytes, however long the spec's rings. A round trip gives an equal state (the same slots holding
 * the same buckets).
 *
 * <p>Format 3 (written since 2026-12-07): the marker {@link #FORMAT_3}, then newest time, events,
 * touched-at time, session start, session newest and session events, the recent event ids' count
 * and then each one's hash and time, slot count (-1 for a state never filled), entry count,
 * aggregate doubles, sketch words, category counters and category keys per entry, then each
 * entry's slot (an int) in the entries' order, then the entries as they are in memory (every part
 * of an entry one long: bucket id, count, values, words, counters, keys). So the entries go out
 * and come back in one pass of big-endian longs, without a call per value: a checkpoint writes
 * every entity's state on the asynchronous snapshot thread, and a record becomes visible to
 * {@code read_committed} readers only when that completes. Reading checks that no two entries
 * claim one slot.
 *
 * <p>Format 2 (until 2026-12-07), still read: the marker {@link #FORMAT_2}, the same header, then
 * per entry in slot order its slot, bucket id, count (an int), doubles, words, counters (ints) and
 * keys. Format 1 (before count_by and sessions) had no marker and no session or category parts: it
 * began with the newest time, which is {@link Long#MIN_VALUE} or an accepted event time (positive,
 * see {@code EventTimeBounds}), never a marker. So a value is read in whichever format it was
 * written, and state checkpointed by an earlier release (on RocksDB, read value by value, long
 * after the restore) still restores, with no migration; format 1 has no counters, as its spec had
 * no count_by, and no session, which begins with its next event.
 */
public final class EntityFeatureStateSerializer extends FreshInstanceSerializer<EntityFeatureState> {
    private static final long serialVersionUID = 1L;

    public static final EntityFeatureStateSerializer INSTANCE = new EntityFeatureStateSerializer();

    /** The first long of format 2; format 1 began with the newest event time, never this. */
    static final long FORMAT_2 = Long.MIN_VALUE + 2;
    /** The first long of format 3, the one written. */
    static final long FORMAT_3 = Long.MIN_VALUE + 3;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    /** More recent ids than any capacity a job sets: a count beyond it is corruption, not state. */
    private static final int MAX_RECENT = 1 << 20;
    /** More longs per entry than any spec needs: beyond it is corruption, not state. */
    private static final int MAX_PER_ENTRY = 1 << 20;

    @Override
    public TypeSerializer<EntityFeatureState> duplicate() {
        return this;
    }

    @Override
    public EntityFeatureState createInstance() {
        return new EntityFeatureState();
    }

    @Override
    public EntityFeatureState copy(EntityFeatureState from) {
        return from.copy();
    }

    @Override
    public void serialize(EntityFeatureState s, DataOutputView out) throws IOException {
        int recent = 2 * s.recentCount;
        long[] d = s.data;
        int size = d == null ? 0 : s.size;
        int first = d == null ? 0 : s.entryBase(0);
        int used = d == null ? 0 : s.entryBase(size) - first;
        int length = 8 * 7 + 4 + 8 * recent + 4 + (d == null ? 0 : 4 * 5 + 4 * size + 8 * used);
        // this thread's array (the task thread and the snapshot threads share this serializer)
        byte[] b = OneCallWrites.array(length);
        int p = 0;
        p = putLong(b, p, FORMAT_3);
        p = putLong(b, p, s.newestTime);
        p = putLong(b, p, s.events);
        p = putLong(b, p, s.touchedAt);
        p = putLong(b, p, s.sessionStart);
        p = putLong(b, p, s.sessionNewest);
        p = putLong(b, p, s.sessionEvents);
        p = putInt(b, p, s.recentCount);
        p = putLongs(b, p, s.recent, 0, recent);
        if (d == null) {
            p = putInt(b, p, -1);
        } else {
            p = putInt(b, p, s.slots);
            p = putInt(b, p, s.size);
            p = putInt(b, p, s.entryValues);
            p = putInt(b, p, s.entryWords);
            p = putInt(b, p, s.entryCounters);
            p = putInt(b, p, s.entryKeys);
            // each entry's slot, in the entries' order, then the entries as they are
            int slots = p;
            p += 4 * size;
            for (int slot = 0; slot < s.slots; slot++) {
                int e = s.entryAt(slot);
                if (e >= 0) {
                    INTS.set(b, slots + 4 * e, slot);
                }
            }
            p = putLongs(b, p, d, first, used);
        }
        // Handed over in one call: a checkpoint writes every entity, and the checkpoint stream's
        // per-call cost (8 single-byte writes per long) was most of the asynchronous snapshot's time.
        out.write(b, 0, p);
    }

    private static int putLong(byte[] b, int p, long v) {
        LONGS.set(b, p, v);
        return p + 8;
    }

    private static int putInt(byte[] b, int p, int v) {
        INTS.set(b, p, v);
        return p + 4;
    }

    private static int putLongs(byte[] b, int p, long[] values, int from, int n) {
        for (int i = from, end = from + n; i < end; i++) {
            LONGS.set(b, p, values[i]);
            p += 8;
        }
        return p;
    }

    @Override
    public EntityFeatureState deserialize(DataInputView in) throws IOException {
        EntityFeatureState s = new EntityFeatureState();
        long first = in.readLong();
        boolean format3 = first == FORMAT_3;
        boolean format2 = first == FORMAT_2 || format3;
        s.newestTime = format2 ? in.readLong() : first;
        s.events = in.readLong();
        s.touchedAt = in.readLong();
        if (format2) {
            s.sessionStart = in.readLong();
            s.sessionNewest = in.readLong();
            s.sessionEvents = in.readLong();
        }
        int recent = in.readInt();
        if (recent < 0 || recent > MAX_RECENT) {
            throw new IOException("corrupt entity feature state: " + recent + " recent event ids");
        }
        if (recent > 0) {
            s.recent = new long[2 * recent];
            readLongs(in, s.recent, 0, 2 * recent);
            s.recentCount = recent;
        }
        int slots = in.readInt();
        if (slots < 0) {
            return s;
        }
        int size = in.readInt();
        int values = in.readInt();
        int words = in.readInt();
        int counters = format2 ? in.readInt() : 0;
        int keys = format2 ? in.readInt() : 0;
        if (size < 0 || size > slots) {
            throw new IOException("corrupt entity feature state: " + size + " entries for " + slots + " slots");
        }
        if (values < 0 || words < 0 || counters < 0 || keys < 0 || keys > counters
                || (long) values + words + counters + keys > MAX_PER_ENTRY) {
            throw new IOException("corrupt entity feature state: per entry " + values + " values, " + words
                    + " words, " + counters + " counters, " + keys + " keys");
        }
        if (EntityFeatureState.mapWords(slots) + (long) size * EntityFeatureState.stride(values, words, counters, keys)
                > Integer.MAX_VALUE - 16) {
            throw new IOException("corrupt entity feature state: " + size + " entries of " + slots + " slots do not fit");
        }
        s.layOut(slots, values, words, counters, keys, size);
        long[] d = s.data;
        if (format3) {
            for (int e = 0; e < size; e++) {
                int slot = in.readInt();
                if (slot < 0 || slot >= slots || s.entryAt(slot) >= 0) {
                    throw new IOException("corrupt entity feature state: slot " + slot + " of " + slots);
                }
                s.setEntryAt(slot, e);
            }
            int entries = s.entryBase(0);
            readLongs(in, d, entries, d.length - entries);
            s.size = size;
            return s;
        }
        for (int e = 0; e < size; e++) {
            int slot = in.readInt();
            if (slot < 0 || slot >= slots || s.entryAt(slot) >= 0) {
                throw new IOException("corrupt entity feature state: slot " + slot + " of " + slots);
            }
            s.setEntryAt(slot, e);
            int x = s.entryBase(e);
            d[x] = in.readLong();
            d[x + 1] = in.readInt();
            for (int i = x + 2, end = i + values + words; i < end; i++) {
                d[i] = in.readLong();
            }
            for (int i = x + 2 + values + words, end = i + counters; i < end; i++) {
                d[i] = in.readInt();
            }
            for (int i = x + 2 + values + words + counters, end = i + keys; i < end; i++) {
                d[i] = in.readLong();
            }
        }
        s.size = size;
        return s;
    }

    /** {@code n} big-endian longs into {@code to} from {@code from} on, read a few KB at a time. */
    private static void readLongs(DataInputView in, long[] to, int from, int n) throws IOException {
        byte[] b = OneCallWrites.array(0);
        int chunk = b.length / 8;
        for (int done = 0; done < n; ) {
            int k = Math.min(chunk, n - done);
            in.readFully(b, 0, 8 * k);
            for (int i = 0; i < k; i++) {
                to[from + done + i] = (long) LONGS.get(b, 8 * i);
            }
            done += k;
        }
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof EntityFeatureStateSerializer;
    }

    @Override
    public int hashCode() {
        return EntityFeatureStateSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<EntityFeatureState> snapshotConfiguration() {
        return new Snapshot();
    }

    /** No configuration: the layout travels in each value. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<EntityFeatureState> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
