package io.riffle.jobs.serde;

import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * What Riffle's own type informations answer alike: one value, neither a basic type nor a tuple,
 * serialized whole by its own serializer.
 */
abstract class SingleValueTypeInfo<T> extends TypeInformation<T> {
    private static final long serialVersionUID = 1L;

    @Override
    public final boolean isBasicType() {
        return false;
    }

    @Override
    public final boolean isTupleType() {
        return false;
    }

    @Override
    public final int getArity() {
        return 1;
    }

    @Override
    public final int getTotalFields() {
        return 1;
    }
}
