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
 * category counters and category keys per entry, then per entry its slot, bucket id, count,
 * doubles, words, counters and keys.
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
        for (int i = 0; i < s.recentCount; i++) {
            out.writeLong(s.recentIds[i]);
            out.writeLong(s.recentTimes[i]);
        }
        if (s.entries == null) {
            out.writeInt(-1);
            return;
        }
        int room = s.bucketIds.length;
        int perValues = room == 0 ? 0 : s.values.length / room;
        int perWords = room == 0 ? 0 : s.sketches.length / room;
        int perCounters = EntityFeatureState.perEntry(s.categoryCounts, room);
        int perKeys = EntityFeatureState.perEntry(s.categoryKeys, room);
        out.writeInt(s.entries.length);
        out.writeInt(s.size);
        out.writeInt(perValues);
        out.writeInt(perWords);
        out.writeInt(perCounters);
        out.writeInt(perKeys);
        for (int slot = 0; slot < s.entries.length; slot++) {
            int e = s.entries[slot] - 1;
            if (e < 0) {
                continue;
            }
            out.writeInt(slot);
            out.writeLong(s.bucketIds[e]);
            out.writeInt(s.counts[e]);
            for (int v = e * perValues, end = v + perValues; v < end; v++) {
                out.writeDouble(s.values[v]);
            }
            for (int w = e * perWords, end = w + perWords; w < end; w++) {
                out.writeLong(s.sketches[w]);
            }
            for (int c = e * perCounters, end = c + perCounters; c < end; c++) {
                out.writeInt(s.categoryCounts[c]);
            }
            for (int k = e * perKeys, end = k + perKeys; k < end; k++) {
                out.writeLong(s.categoryKeys[k]);
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
            s.recentIds = new long[recent];
            s.recentTimes = new long[recent];
            for (int i = 0; i < recent; i++) {
                s.recentIds[i] = in.readLong();
                s.recentTimes[i] = in.readLong();
            }
            s.recentCount = recent;
        }
        int slots = in.readInt();
        if (slots < 0) {
            return s;
        }
        int size = in.readInt();
        int perValues = in.readInt();
        int perWords = in.readInt();
        int perCounters = format2 ? in.readInt() : 0;
        int perKeys = format2 ? in.readInt() : 0;
        if (size < 0 || size > slots) {
            throw new IOException("corrupt entity feature state: " + size + " entries for " + slots + " slots");
        }
        if (perValues < 0 || perWords < 0 || perCounters < 0 || perKeys < 0 || perKeys > perCounters) {
            throw new IOException("corrupt entity feature state: per entry " + perValues + " values, " + perWords
                    + " words, " + perCounters + " counters, " + perKeys + " keys");
        }
        s.entries = new int[slots];
        s.size = size;
        s.bucketIds = new long[size];
        s.counts = new int[size];
        s.values = new double[size * perValues];
        s.sketches = new long[size * perWords];
        s.categoryCounts = new int[size * perCounters];
        s.categoryKeys = new long[size * perKeys];
        for (int e = 0; e < size; e++) {
            int slot = in.readInt();
            if (slot < 0 || slot >= slots || s.entries[slot] != 0) {
                throw new IOException("corrupt entity feature state: slot " + slot + " of " + slots);
            }
            s.entries[slot] = e + 1;
            s.bucketIds[e] = in.readLong();
            s.counts[e] = in.readInt();
            for (int v = e * perValues, end = v + perValues; v < end; v++) {
                s.values[v] = in.readDouble();
            }
            for (int w = e * perWords, end = w + perWords; w < end; w++) {
                s.sketches[w] = in.readLong();
            }
            for (int c = e * perCounters, end = c + perCounters; c < end; c++) {
                s.categoryCounts[c] = in.readInt();
            }
            for (int k = e * perKeys, end = k + perKeys; k < end; k++) {
                s.categoryKeys[k] = in.readLong();
            }
        }
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
