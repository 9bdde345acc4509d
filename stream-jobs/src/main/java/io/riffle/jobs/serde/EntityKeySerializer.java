package io.riffle.jobs.serde;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/**
 * The entity keys of the scorer's keyed state: exactly the bytes Flink's {@link StringSerializer}
 * writes (so a checkpoint or savepoint taken with either restores with the other, and RocksDB finds
 * the same keys), but handed to the stream in one call. Flink's writes a key one byte per call, and
 * every checkpoint of the heap backend writes every entity's key: that was a third of the
 * asynchronous snapshot thread's time with 100,000 entities.
 */
public final class EntityKeySerializer extends TypeSerializerSingleton<String> {
    private static final long serialVersionUID = 1L;

    public static final EntityKeySerializer INSTANCE = new EntityKeySerializer();

    /** Continuation bit of StringValue's variable-length length and characters. */
    private static final int HIGH_BIT = 0x80;

    /** Per thread (the task thread, the asynchronous snapshot threads): serializers may be shared. */
    private static final ThreadLocal<byte[][]> BUFFER = ThreadLocal.withInitial(() -> new byte[][] {new byte[256]});

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public String createInstance() {
        return "";
    }

    @Override
    public String copy(String from) {
        return from;
    }

    @Override
    public String copy(String from, String reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(String key, DataOutputView out) throws IOException {
        byte[][] holder = BUFFER.get();
        int n = encode(key, holder);
        out.write(holder[0], 0, n);
    }

    /**
     * {@code key} as {@link StringValue#writeString} writes it, into {@code holder[0]} (grown when
     * too small); returns the length. Null is a single 0; otherwise length + 1, then each char,
     * each in 7-bit groups, lowest first, the high bit set on all but the last.
     */
    static int encode(String key, byte[][] holder) {
        if (key == null) {
            holder[0][0] = 0;
            return 1;
        }
        int length = key.length();
        // at most 5 bytes for the length and 3 per char
        int most = 5 + 3 * length;
        if (holder[0].length < most) {
            holder[0] = new byte[Math.max(most, 2 * holder[0].length)];
        }
        byte[] b = holder[0];
        int at = varint(b, 0, length + 1);
        for (int i = 0; i < length; i++) {
            int c = key.charAt(i);
            if (c < HIGH_BIT) {
                b[at++] = (byte) c;
            } else {
                at = varint(b, at, c);
            }
        }
        return at;
    }

    private static int varint(byte[] b, int at, int value) {
        while (value >= HIGH_BIT) {
            b[at++] = (byte) (value | HIGH_BIT);
            value >>>= 7;
        }
        b[at++] = (byte) value;
        return at;
    }

    @Override
    public String deserialize(DataInputView in) throws IOException {
        return StringValue.readString(in);
    }

    @Override
    public String deserialize(String reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        StringValue.copyString(in, out);
    }

    @Override
    public TypeSerializerSnapshot<String> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Compatible as is with Flink's {@link StringSerializer}: state keyed before this serializer existed restores. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<String> {
        public Snapshot() {
            super(() -> INSTANCE);
        }

        @Override
        public TypeSerializerSchemaCompatibility<String> resolveSchemaCompatibility(
                TypeSerializerSnapshot<String> oldSerializerSnapshot) {
            if (oldSerializerSnapshot instanceof StringSerializer.StringSerializerSnapshot) {
                return TypeSerializerSchemaCompatibility.compatibleAsIs();
            }
            return super.resolveSchemaCompatibility(oldSerializerSnapshot);
        }
    }
}
