package io.riffle.modelops.spec;

import org.apache.avro.Schema;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** What kinds of Avro field each feature may read; a nullable union {@code ["null", X]} counts as X. */
public final class SchemaFields {

    public static final Set<Schema.Type> NUMERIC = EnumSet.of(Schema.Type.INT, Schema.Type.LONG, Schema.Type.FLOAT, Schema.Type.DOUBLE);
    public static final Set<Schema.Type> BOOLEAN = EnumSet.of(Schema.Type.BOOLEAN);
    public static final Set<Schema.Type> CATEGORICAL = EnumSet.of(Schema.Type.STRING, Schema.Type.ENUM, Schema.Type.INT,
            Schema.Type.LONG, Schema.Type.BOOLEAN);
    public static final Set<Schema.Type> ANY_SCALAR = EnumSet.of(Schema.Type.STRING, Schema.Type.ENUM, Schema.Type.INT,
            Schema.Type.LONG, Schema.Type.FLOAT, Schema.Type.DOUBLE, Schema.Type.BOOLEAN);

    private SchemaFields() {}

    /** The field's type without a null branch; null when it is a union of several non-null types. */
    public static Schema.Type baseType(Schema.Field field) {
        Schema s = field.schema();
        if (s.getType() != Schema.Type.UNION) {
            return s.getType();
        }
        Schema.Type found = null;
        for (Schema branch : s.getTypes()) {
            if (branch.getType() == Schema.Type.NULL) {
                continue;
            }
            if (found != null) {
                return null;
            }
            found = branch.getType();
        }
        return found;
    }

    /** Whether the field may hold null. */
    public static boolean nullable(Schema.Field field) {
        Schema s = field.schema();
        if (s.getType() == Schema.Type.NULL) {
            return true;
        }
        return s.getType() == Schema.Type.UNION && s.getTypes().stream().anyMatch(b -> b.getType() == Schema.Type.NULL);
    }

    static String typeName(Schema.Field field) {
        Schema.Type t = baseType(field);
        return t == null ? "a union of several types" : t.getName().toLowerCase(Locale.ROOT);
    }

    static String names(Set<Schema.Type> types) {
        return String.join(", ", types.stream().map(t -> t.getName().toLowerCase(Locale.ROOT)).toList());
    }

    static List<String> fieldNames(Schema schema) {
        return schema.getFields().stream().map(Schema.Field::name).toList();
    }
}
