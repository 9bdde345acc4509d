package io.riffle.jobs.operators;

import io.riffle.jobs.serde.FreshInstanceSerializer;
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
 * <p>Format: newest time, events, touched-at time, the recent event ids' count and then each
 * one's hash and time, slot count (-1 for a state never filled), entry count, aggregate doubles
 * and sketch words per entry, then per entry its slot, bucket id, count, doubles and words.
 */
public final class EntityFeatureStateSerializer extends FreshInstanceSerializer<EntityFeatureState> {
    private static final long serialVersionUID = 1L;

    public static final EntityFeatureStateSerializer INSTANCE = new EntityFeatureStateSerializer();

    /** More recent ids than any capacity a job sets: a count beyond it is corruption, not state. */
    private static final int MAX_RECENT = 1 << 20;

    /** Per thread (the task thread, the asynchronous snapshot threads): serializers may be shared. */
    private static final ThreadLocal<DataOutputSerializer> BUFFER =
            ThreadLocal.withInitial(() -> new DataOutputSerializer(1024));

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
        DataOutputSerializer buffer = BUFFER.get();
        buffer.clear();
        write(s, buffer);
        out.write(buffer.getSharedBuffer(), 0, buffer.length());
    }

    private static void write(EntityFeatureState s, DataOutputSerializer out) throws IOException {
        out.writeLong(s.newestTime);
        out.writeLong(s.events);
        out.writeLong(s.touchedAt);
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
        out.writeInt(s.entries.length);
        out.writeInt(s.size);
        out.writeInt(perValues);
        out.writeInt(perWords);
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
        }
    }

    @Override
    public EntityFeatureState deserialize(DataInputView in) throws IOException {
        EntityFeatureState s = new EntityFeatureState();
        s.newestTime = in.readLong();
        s.events = in.readLong();
        s.touchedAt = in.readLong();
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
        if (size < 0 || size > slots) {
            throw new IOException("corrupt entity feature state: " + size + " entries for " + slots + " slots");
        }
        s.entries = new int[slots];
        s.size = size;
        s.bucketIds = new long[size];
        s.counts = new int[size];
        s.values = new double[size * perValues];
        s.sketches = new long[size * perWords];
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
