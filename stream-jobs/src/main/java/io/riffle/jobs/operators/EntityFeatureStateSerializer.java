package io.riffle.jobs.operators;

import io.riffle.modelops.features.EntityFeatureState;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.util.Arrays;

/**
 * Writes an {@link EntityFeatureState} with only its occupied ring slots and the sketch words that
 * have a bit set. The state is sized for every bucket of every window (4.4 KB for the demo's spec),
 * but an entity usually has events in a
 * few buckets: a card paying twice an hour fills about one slot per window, so its checkpointed
 * (and, on RocksDB, stored) state is a few hundred bytes instead of the whole rings. Empty slots
 * (bucket id {@link Long#MIN_VALUE}, count and aggregates zero — how
 * {@link io.riffle.modelops.features.FeatureExtractor#newState()} makes them and how it resets a
 * reused slot) are rebuilt on reading, so a round trip gives an equal state.
 *
 * <p>Format: newest time, events, touched-at time, slot count, aggregate doubles per slot,
 * occupied-slot count, then per occupied slot its index, bucket id, count and doubles; then the
 * sketch words' count, the non-zero words' count and each non-zero word's index and value (the
 * serializer need not know which ring keeps which sketches).
 */
public final class EntityFeatureStateSerializer extends TypeSerializer<EntityFeatureState> {
    private static final long serialVersionUID = 1L;

    public static final EntityFeatureStateSerializer INSTANCE = new EntityFeatureStateSerializer();

    /** Per thread (the task thread, the asynchronous snapshot threads): serializers may be shared. */
    private static final ThreadLocal<DataOutputSerializer> BUFFER =
            ThreadLocal.withInitial(() -> new DataOutputSerializer(1024));

    @Override
    public boolean isImmutableType() {
        return false;
    }

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
        EntityFeatureState to = new EntityFeatureState();
        to.newestTime = from.newestTime;
        to.events = from.events;
        to.touchedAt = from.touchedAt;
        to.bucketIds = from.bucketIds == null ? null : from.bucketIds.clone();
        to.counts = from.counts == null ? null : from.counts.clone();
        to.values = from.values == null ? null : from.values.clone();
        to.sketches = from.sketches == null ? null : from.sketches.clone();
        return to;
    }

    @Override
    public EntityFeatureState copy(EntityFeatureState from, EntityFeatureState reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
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
        int slots = s.bucketIds == null ? 0 : s.bucketIds.length;
        int perSlotValues = slots == 0 || s.values == null ? 0 : s.values.length / slots;
        out.writeInt(slots);
        out.writeInt(perSlotValues);
        // one pass over the slots and one over the words, their counts written in place afterwards
        int occupiedAt = out.length();
        out.writeInt(0);
        int occupied = 0;
        for (int i = 0; i < slots; i++) {
            if (s.bucketIds[i] == Long.MIN_VALUE) {
                continue;
            }
            occupied++;
            out.writeInt(i);
            out.writeLong(s.bucketIds[i]);
            out.writeInt(s.counts[i]);
            for (int v = i * perSlotValues, end = v + perSlotValues; v < end; v++) {
                out.writeDouble(s.values[v]);
            }
        }
        out.writeIntUnsafe(occupied, occupiedAt);
        long[] words = s.sketches == null ? new long[0] : s.sketches;
        out.writeInt(words.length);
        int setAt = out.length();
        out.writeInt(0);
        int set = 0;
        for (int i = 0; i < words.length; i++) {
            if (words[i] != 0) {
                set++;
                out.writeInt(i);
                out.writeLong(words[i]);
            }
        }
        out.writeIntUnsafe(set, setAt);
    }

    @Override
    public EntityFeatureState deserialize(DataInputView in) throws IOException {
        EntityFeatureState s = new EntityFeatureState();
        s.newestTime = in.readLong();
        s.events = in.readLong();
        s.touchedAt = in.readLong();
        int slots = in.readInt();
        int perSlotValues = in.readInt();
        s.bucketIds = new long[slots];
        Arrays.fill(s.bucketIds, Long.MIN_VALUE);
        s.counts = new int[slots];
        s.values = new double[slots * perSlotValues];
        int occupied = in.readInt();
        for (int k = 0; k < occupied; k++) {
            int i = in.readInt();
            if (i < 0 || i >= slots) {
                throw new IOException("corrupt entity feature state: slot " + i + " of " + slots);
            }
            s.bucketIds[i] = in.readLong();
            s.counts[i] = in.readInt();
            for (int v = i * perSlotValues, end = v + perSlotValues; v < end; v++) {
                s.values[v] = in.readDouble();
            }
        }
        s.sketches = new long[in.readInt()];
        int set = in.readInt();
        for (int k = 0; k < set; k++) {
            int i = in.readInt();
            if (i < 0 || i >= s.sketches.length) {
                throw new IOException("corrupt entity feature state: sketch word " + i + " of " + s.sketches.length);
            }
            s.sketches[i] = in.readLong();
        }
        return s;
    }

    @Override
    public EntityFeatureState deserialize(EntityFeatureState reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
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
