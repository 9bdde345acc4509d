package io.riffle.jobs.operators;

import io.riffle.jobs.serde.FreshInstanceSerializer;
import io.riffle.jobs.serde.OneCallWrites;
import io.riffle.modelops.features.EntityFeatureState;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Writes an {@link EntityFeatureState} with only the entries its slots use: an entity with a few
 * events has a few entries, so its checkpointed (and, on RocksDB, stored) state is a few hundred
 * bytes, however long the spec's rings. A round trip gives an equal state (the same slots holding
 * the same buckets), its entries in slot order and with no spare room.
 *
 * <p>Format 2: the marker {@link #FORMAT_2}, then newest time, events, touched-at time, session
 * start, session newest and session events, the recent event ids' count and then each one's hash
 * and time, slot count (-1 for a state never filled), entry count, aggregate doubles, sketch words,
 * category counters and category keys per entry, then per entry its slot, bucket id, count (an
 * int), doubles, words, counters (ints) and keys. The format does not follow the state's layout in
 * memory: that became one array of longs (it was an object and a dozen arrays) with the same
 * bytes written, so checkpoints of either layout restore into the other.
 *
 * <p>Format 1 (before count_by and sessions) had no marker and no session or category parts: it
 * began with the newest time, which is {@link Long#MIN_VALUE} or an accepted event time (positive,
 * see {@code EventTimeBounds}), never the marker. So a value is read in whichever format it was
 * written, and state checkpointed by the previous release (on RocksDB, read value by value, long
 * after the restore) still restores, with no migration; it has no counters, as its spec had no
 * count_by, and no session, which begins with its next event.
 */
public final class EntityFeatureStateSerializer extends FreshInstanceSerializer<EntityFeatureState> {
    private static final long serialVersionUID = 1L;

    public static final EntityFeatureStateSerializer INSTANCE = new EntityFeatureStateSerializer();

    /** The first long of format 2; format 1 began with the newest event time, never this. */
    static final long FORMAT_2 = Long.MIN_VALUE + 2;

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
        // Written into an array first and handed over in one call: a checkpoint writes every
        // entity, and the checkpoint stream's per-call cost (8 single-byte writes per long) was most
        // of the asynchronous snapshot thread's time.
        DataOutputSerializer buffer = OneCallWrites.buffer();
        write(s, buffer);
        out.write(buffer.getSharedBuffer(), 0, buffer.length());
    }

    private static void write(EntityFeatureState s, DataOutputSerializer out) throws IOException {
        out.writeLong(FORMAT_2);
        out.writeLong(s.newestTime);
        out.writeLong(s.events);
        out.writeLong(s.touchedAt);
        out.writeLong(s.sessionStart);
        out.writeLong(s.sessionNewest);
        out.writeLong(s.sessionEvents);
        out.writeInt(s.recentCount);
        long[] recent = s.recent;
        for (int i = 0, n = 2 * s.recentCount; i < n; i++) {
            out.writeLong(recent[i]);
        }
        long[] d = s.data;
        if (d == null) {
            out.writeInt(-1);
            return;
        }
        int values = s.entryValues;
        int words = s.entryWords;
        int counters = s.entryCounters;
        int keys = s.entryKeys;
        out.writeInt(s.slots);
        out.writeInt(s.size);
        out.writeInt(values);
        out.writeInt(words);
        out.writeInt(counters);
        out.writeInt(keys);
        for (int slot = 0; slot < s.slots; slot++) {
            int e = s.entryAt(slot);
            if (e < 0) {
                continue;
            }
            int x = s.entryBase(e);
            out.writeInt(slot);
            out.writeLong(d[x]);
            out.writeInt((int) d[x + 1]);
            // values (doubles as their bits: writeDouble's bits for any number) and sketch words
            for (int i = x + 2, end = i + values + words; i < end; i++) {
                out.writeLong(d[i]);
            }
            for (int i = x + 2 + values + words, end = i + counters; i < end; i++) {
                out.writeInt((int) d[i]);
            }
            for (int i = x + 2 + values + words + counters, end = i + keys; i < end; i++) {
                out.writeLong(d[i]);
            }
        }
    }

    @Override
    public EntityFeatureState deserialize(DataInputView in) throws IOException {
        EntityFeatureState s = new EntityFeatureState();
        long first = in.readLong();
        boolean format2 = first == FORMAT_2;
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
            for (int i = 0; i < 2 * recent; i++) {
                s.recent[i] = in.readLong();
            }
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
