package io.riffle.jobs.serde;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** The scorer's entity keys: text, serialized by {@link EntityKeySerializer} (Flink's String format, written faster). */
public final class EntityKeyTypeInfo extends SingleValueTypeInfo<String> {
    private static final long serialVersionUID = 1L;

    public static final EntityKeyTypeInfo INSTANCE = new EntityKeyTypeInfo();

    @Override
    public Class<String> getTypeClass() {
        return String.class;
    }

    @Override
    public boolean isKeyType() {
        return true;
    }

    @Override
    public TypeSerializer<String> createSerializer(SerializerConfig config) {
        return EntityKeySerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "EntityKey<String>";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof EntityKeyTypeInfo;
    }

    @Override
    public int hashCode() {
        return EntityKeyTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof EntityKeyTypeInfo;
    }
}
