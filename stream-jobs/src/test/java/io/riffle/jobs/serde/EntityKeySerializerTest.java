package io.riffle.jobs.serde;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scorer's key serializer writes exactly what Flink's {@link StringSerializer} writes, reads
 * it back, and declares state keyed by Flink's serializer compatible as is.
 */
class EntityKeySerializerTest {

    @Test
    void writesFlinksStringBytesForEveryKindOfKey() throws IOException {
        Random random = new Random(31);
        List<String> keys = new ArrayList<>(List.of("", "card-0000012345", "é", "中文", "\uD83D\uDE00 emoji",
                "\u007f\u0080\u07ff\u0800\uffff", "x".repeat(127), "y".repeat(128), "z".repeat(16_384)));
        keys.add(null);
        for (int i = 0; i < 20_000; i++) {
            keys.add(randomKey(random));
        }
        DataOutputSerializer flinks = new DataOutputSerializer(64);
        DataOutputSerializer ours = new DataOutputSerializer(64);
        for (String key : keys) {
            flinks.clear();
            ours.clear();
            StringSerializer.INSTANCE.serialize(key, flinks);
            EntityKeySerializer.INSTANCE.serialize(key, ours);
            assertThat(ours.getCopyOfBuffer()).as("bytes of %s", key).isEqualTo(flinks.getCopyOfBuffer());
            String back = EntityKeySerializer.INSTANCE.deserialize(new DataInputDeserializer(ours.getCopyOfBuffer()));
            assertThat(back).isEqualTo(key);
        }
    }

    private static String randomKey(Random random) {
        int length = random.nextInt(random.nextInt(10) == 0 ? 40_000 : 40);
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(4);
            b.append((char) (kind == 0 ? random.nextInt(0x80) : kind == 1 ? random.nextInt(0x800)
                    : kind == 2 ? random.nextInt(0x10000) : '0' + random.nextInt(10)));
        }
        return b.toString();
    }

    @Test
    void stateKeyedByFlinksStringSerializerIsCompatibleAsIs() throws IOException {
        TypeSerializerSnapshot<String> ours = EntityKeySerializer.INSTANCE.snapshotConfiguration();
        assertThat(ours.resolveSchemaCompatibility(StringSerializer.INSTANCE.snapshotConfiguration()).isCompatibleAsIs())
                .isTrue();
        assertThat(ours.resolveSchemaCompatibility(EntityKeySerializer.INSTANCE.snapshotConfiguration()).isCompatibleAsIs())
                .isTrue();
        // and the snapshot written into a checkpoint reads back to this serializer
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, ours);
        TypeSerializerSnapshot<String> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(read.restoreSerializer()).isSameAs(EntityKeySerializer.INSTANCE);
    }
}
