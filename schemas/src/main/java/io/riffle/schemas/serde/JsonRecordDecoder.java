package io.riffle.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Decodes plain JSON objects (not Avro's JSON encoding: unions are written as bare values)
 * into a generated Avro record class, for event and label topics configured as JSON.
 *
 * <p>Types are coerced only where it is lossless: an integral JSON number or numeric string for
 * {@code int}/{@code long}, any number or numeric string for {@code float}/{@code double}, an
 * ISO-8601 instant string for a {@code long} field whose name ends in "Time" (epoch
 * milliseconds). Numbers must be finite (no NaN or infinity, whether spelled as text or as a
 * literal too large for a double) and fit their field ({@code float}: within ±3.4e38). A missing field takes the schema default, or null when it is nullable. Every
 * error names the field and what was expected.
 *
 * <p>{@link #forSchema(Schema)} decodes into {@link GenericData.Record}s of a user's schema
 * instead (pipelines whose events are not one of Riffle's generated classes).
 */
public final class JsonRecordDecoder<T extends IndexedRecord> implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Class<T> type;
    /** The schema of a generic decoder as JSON text (Avro schemas are parsed again after deserialization); null for a generated class. */
    private final String schemaJson;
    private transient Schema schema;
    private transient GenericData model;
    private transient String typeName;

    private JsonRecordDecoder(Class<T> type, String schemaJson) {
        this.type = type;
        this.schemaJson = schemaJson;
    }

    public static <T extends IndexedRecord> JsonRecordDecoder<T> of(Class<T> type) {
        return new JsonRecordDecoder<>(type, null);
    }

    /** A decoder into {@link GenericData.Record}s of {@code schema} (a record schema). */
    public static JsonRecordDecoder<GenericData.Record> forSchema(Schema schema) {
        if (schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("JSON events need a record schema, got " + schema.getType());
        }
        return new JsonRecordDecoder<>(GenericData.Record.class, schema.toString());
    }

    public T decode(byte[] json) {
        init();
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new SerdeException("cannot decode " + typeName + " from JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new SerdeException("cannot decode " + typeName + " from JSON: expected an object, got "
                    + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase()));
        }
        @SuppressWarnings("unchecked")
        T record = (T) model.newRecord(null, schema);
        fill(record, schema, root, "");
        return record;
    }

    private void fill(IndexedRecord record, Schema recordSchema, JsonNode node, String path) {
        for (Schema.Field field : recordSchema.getFields()) {
            String name = path + field.name();
            JsonNode value = node.get(field.name());
            if (value == null || value.isMissingNode()) {
                if (field.hasDefaultValue()) {
                    record.put(field.pos(), model.deepCopy(field.schema(), model.getDefaultValue(field)));
                    continue;
                }
                if (isNullable(field.schema())) {
                    record.put(field.pos(), null);
                    continue;
                }
                throw error(name, "is required but missing");
            }
            record.put(field.pos(), convert(field.schema(), value, name));
        }
    }

    private Object convert(Schema s, JsonNode v, String name) {
        switch (s.getType()) {
            case NULL:
                if (v.isNull()) {
                    return null;
                }
                throw error(name, "expected null, got " + show(v));
            case UNION:
                if (v.isNull()) {
                    if (isNullable(s)) {
                        return null;
                    }
                    throw error(name, "must not be null");
                }
                SerdeException first = null;
                for (Schema branch : s.getTypes()) {
                    if (branch.getType() == Schema.Type.NULL) {
                        continue;
                    }
                    try {
                        return convert(branch, v, name);
                    } catch (SerdeException e) {
                        first = first == null ? e : first;
                    }
                }
                throw first != null ? first : error(name, "matches no branch of " + s);
            case STRING:
                if (v.isTextual()) {
                    return v.textValue();
                }
                if (v.isNumber() || v.isBoolean()) {
                    return v.asText();
                }
                throw error(name, "expected a string, got " + show(v));
            case INT: {
                long l = integral(v, name);
                if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                    throw error(name, "value " + l + " does not fit an int");
                }
                return (int) l;
            }
            case LONG:
                if (v.isTextual() && name.endsWith("Time")) {
                    try {
                        return Instant.parse(v.textValue()).toEpochMilli();
                    } catch (DateTimeParseException e) {
                        // fall through to a numeric string
                    }
                }
                return integral(v, name);
            case FLOAT: {
                double d = number(v, name);
                if (Math.abs(d) > Float.MAX_VALUE) {
                    throw new JsonFieldException.NonFinite(typeName + " field '" + name + "' value " + show(v)
                            + " does not fit a float");
                }
                return (float) d;
            }
            case DOUBLE:
                return number(v, name);
            case BOOLEAN:
                if (v.isBoolean()) {
                    return v.booleanValue();
                }
                if (v.isTextual() && ("true".equalsIgnoreCase(v.textValue()) || "false".equalsIgnoreCase(v.textValue()))) {
                    return Boolean.parseBoolean(v.textValue());
                }
                throw error(name, "expected true or false, got " + show(v));
            case ENUM:
                if (v.isTextual() && s.hasEnumSymbol(v.textValue())) {
                    return model.createEnum(v.textValue(), s);
                }
                throw error(name, "expected one of " + s.getEnumSymbols() + ", got " + show(v));
            case ARRAY: {
                if (!v.isArray()) {
                    throw error(name, "expected an array, got " + show(v));
                }
                List<Object> list = new ArrayList<>(v.size());
                for (int i = 0; i < v.size(); i++) {
                    list.add(convert(s.getElementType(), v.get(i), name + "[" + i + "]"));
                }
                return list;
            }
            case MAP: {
                if (!v.isObject()) {
                    throw error(name, "expected an object, got " + show(v));
                }
                Map<String, Object> map = new HashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    map.put(e.getKey(), convert(s.getValueType(), e.getValue(), name + "." + e.getKey()));
                }
                return map;
            }
            case RECORD: {
                if (!v.isObject()) {
                    throw error(name, "expected an object, got " + show(v));
                }
                IndexedRecord nested = (IndexedRecord) model.newRecord(null, s);
                fill(nested, s, v, name + ".");
                return nested;
            }
            case BYTES:
                if (v.isTextual()) {
                    try {
                        return ByteBuffer.wrap(java.util.Base64.getDecoder().decode(v.textValue()));
                    } catch (IllegalArgumentException e) {
                        throw error(name, "expected base64 text, got " + show(v));
                    }
                }
                throw error(name, "expected base64 text, got " + show(v));
            default:
                throw error(name, "type " + s.getType() + " is not supported in JSON input");
        }
    }

    private long integral(JsonNode v, String name) {
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.longValue();
        }
        if (v.isNumber()) {
            double d = v.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 9.0e15) {
                return (long) d;
            }
            throw error(name, "expected a whole number, got " + show(v));
        }
        if (v.isTextual()) {
            try {
                return Long.parseLong(v.textValue().trim());
            } catch (NumberFormatException e) {
                throw error(name, "expected a whole number, got " + show(v));
            }
        }
        throw error(name, "expected a whole number, got " + show(v));
    }

    /** A finite number: NaN and infinities (written as text, or a literal too large for a double) are refused. */
    private double number(JsonNode v, String name) {
        double d;
        if (v.isNumber()) {
            d = v.doubleValue();
        } else if (v.isTextual()) {
            try {
                d = Double.parseDouble(v.textValue().trim());
            } catch (NumberFormatException e) {
                throw error(name, "expected a number, got " + show(v));
            }
        } else {
            throw error(name, "expected a number, got " + show(v));
        }
        if (!Double.isFinite(d)) {
            throw new JsonFieldException.NonFinite(typeName + " field '" + name + "' is " + show(v)
                    + ", not a finite number");
        }
        return d;
    }

    private SerdeException error(String field, String what) {
        return new JsonFieldException(typeName + " field '" + field + "' " + what);
    }

    private static String show(JsonNode v) {
        String text = v.toString();
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    private static boolean isNullable(Schema s) {
        if (s.getType() == Schema.Type.NULL) {
            return true;
        }
        return s.getType() == Schema.Type.UNION && s.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL);
    }

    private void init() {
        if (schema == null) {
            if (schemaJson != null) {
                Schema parsed = new Schema.Parser().parse(schemaJson);
                model = GenericData.get();
                typeName = parsed.getName();
                schema = parsed;
            } else {
                AvroClassAllowList.allowRiffleRecords();
                SpecificData specific = SpecificData.getForClass(type);
                model = specific;
                typeName = type.getSimpleName();
                schema = specific.getSchema(type);
            }
        }
    }
}
