package io.riffle.modelops.features;

import io.riffle.modelops.spec.EventsSpec;
import io.riffle.modelops.spec.FeatureSpec;
import io.riffle.modelops.spec.MissingRule;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

import java.io.Serializable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads an event's fields by position (resolved once per record schema, generic or generated
 * classes alike): its entity key, id and event time (in the spec's time unit) for the decoder, and
 * numbers under a missing rule for the featurizer. Every refusal is a
 * {@link FeatureExtractionException} naming the field and the event ("event eventId=e42", or its
 * entity and time when there is no id), which the scoring job turns into a dead letter.
 *
 * <p>Thread-safe: the only mutable field is the cached positions, replaced whole.
 */
public final class EventFields implements Serializable {

    private static final long serialVersionUID = 1L;
    /** Epoch seconds beyond which milliseconds overflow a long (the year 292 million). */
    private static final long MAX_EPOCH_SECONDS = Long.MAX_VALUE / 1000;

    private final String keyField;
    private final String timeField;
    private final EventsSpec.TimeUnit timeUnit;
    private final String idField;
    /** Every field read, in a fixed order; a field is addressed by its index here. */
    private final String[] names;
    private final int timeIdx;
    private final int keyIdx;
    private final int idIdx;
    private transient volatile Positions positions;

    private record Positions(Schema schema, int[] pos) {}

    /**
     * @param idField the pipeline's event-id field, or null
     * @param names   every field to read: must include the spec's time and key fields and {@code idField}
     * @param schema  the event schema, checked to have every field
     */
    EventFields(FeatureSpec spec, String idField, String[] names, Schema schema) {
        this.keyField = spec.entityKey();
        this.timeField = spec.timeField();
        this.timeUnit = spec.timeUnit();
        this.idField = idField;
        this.names = names.clone();
        List<String> all = Arrays.asList(this.names);
        this.timeIdx = all.indexOf(timeField);
        this.keyIdx = all.indexOf(keyField);
        this.idIdx = idField == null ? -1 : all.indexOf(idField);
        if (timeIdx < 0 || keyIdx < 0 || idField != null && idIdx < 0) {
            throw new IllegalArgumentException("the fields read must include the time, key and id fields: " + all);
        }
        this.positions = resolve(schema);
    }

    /** The reader of an event's key, id and time only (what the decoder needs). */
    public static EventFields of(FeatureSpec spec, String idField, Schema schema) {
        Set<String> names = new LinkedHashSet<>(List.of(spec.timeField(), spec.entityKey()));
        if (idField != null) {
            names.add(idField);
        }
        return new EventFields(spec, idField, names.toArray(String[]::new), schema);
    }

    /** The entity key field. */
    public String keyField() {
        return keyField;
    }

    /** The pipeline's event-id field, or null when it has none. */
    public String idField() {
        return idField;
    }

    /** Name of the field of index {@code field}. */
    String name(int field) {
        return names[field];
    }

    /** The entity key of {@code event} as text (the keyBy of the scoring job). */
    public String entityKey(IndexedRecord event) {
        Object v = event.get(positions(event)[keyIdx]);
        if (v == null) {
            throw new FeatureExtractionException(keyField, describe(event) + ": entity key field '" + keyField + "' is missing");
        }
        return v.toString();
    }

    /** The value of the event-id field (read by position), or null when it is missing or there is none. */
    public Object eventId(IndexedRecord event) {
        return idIdx < 0 ? null : event.get(positions(event)[idIdx]);
    }

    /** Event time of {@code event} in epoch milliseconds, read in the spec's time unit. */
    public long eventTime(IndexedRecord event) {
        Object v = event.get(positions(event)[timeIdx]);
        if (v == null) {
            throw new FeatureExtractionException(timeField, describe(event) + ": event-time field '" + timeField + "' is missing");
        }
        if (timeUnit == EventsSpec.TimeUnit.ISO_8601) {
            return isoTime(event, v.toString());
        }
        if (!(v instanceof Number n)) {
            throw wrongType(event, timeField, v,
                    "a number of " + (timeUnit == EventsSpec.TimeUnit.EPOCH_MILLIS ? "milliseconds" : "seconds"));
        }
        if (timeUnit == EventsSpec.TimeUnit.EPOCH_MILLIS) {
            return n.longValue();
        }
        if (v instanceof Double || v instanceof Float) {
            double seconds = n.doubleValue();
            if (!Double.isFinite(seconds) || Math.abs(seconds) > MAX_EPOCH_SECONDS) {
                throw notSeconds(event, Double.toString(seconds));
            }
            return Math.round(seconds * 1000.0);
        }
        long seconds = n.longValue();
        if (Math.abs(seconds) > MAX_EPOCH_SECONDS) {
            throw notSeconds(event, Long.toString(seconds));
        }
        return seconds * 1000L;
    }

    private long isoTime(IndexedRecord event, String s) {
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(s).toInstant().toEpochMilli();
            } catch (DateTimeParseException e2) {
                throw new FeatureExtractionException(timeField, describe(event) + ": event-time field '" + timeField + "' is '"
                        + s + "', not an ISO-8601 instant such as 2026-11-22T10:15:30Z");
            }
        }
    }

    private FeatureExtractionException notSeconds(IndexedRecord event, String shown) {
        return new FeatureExtractionException(timeField, describe(event) + ": event-time field '" + timeField + "' is "
                + shown + ", not a time in epoch seconds");
    }

    /** Field {@code field} of {@code event} (at positions {@code pos}) as a number, or its missing rule's substitute. */
    double number(IndexedRecord event, int[] pos, int field, MissingRule rule) {
        Object v = event.get(pos[field]);
        return v == null ? missingValue(event, names[field], rule) : toDouble(event, names[field], v);
    }

    /** The substitute for a missing {@code field}; throws when the rule has none. */
    double missingValue(IndexedRecord event, String field, MissingRule rule) {
        if (rule.kind() == MissingRule.Kind.ERROR) {
            throw new FeatureExtractionException(field, describe(event) + ": field '" + field
                    + "' is missing and its feature has no missing rule (add 'missing: value <x>' or 'missing: flag')");
        }
        return rule.substitute();
    }

    /** {@code v} as a double; throws unless it is a number that fits a float. */
    double toDouble(IndexedRecord event, String field, Object v) {
        if (v instanceof Number n) {
            double d = n.doubleValue();
            // A feature is a float, and an aggregate sums squares in doubles: an infinite or
            // float-overflowing value would make the entity's mean and std NaN for a whole window.
            if (!(Math.abs(d) <= Float.MAX_VALUE)) {
                throw new NonFiniteValueException(field, describe(event) + ": field '" + field + "' is " + d
                        + (Double.isFinite(d) ? ", which does not fit a float" : ", not a finite number"));
            }
            return d;
        }
        throw wrongType(event, field, v, "a number");
    }

    FeatureExtractionException wrongType(IndexedRecord event, String field, Object v, String expected) {
        String shown = String.valueOf(v);
        if (shown.length() > 40) {
            shown = shown.substring(0, 40) + "...";
        }
        return new FeatureExtractionException(field, describe(event) + ": field '" + field + "' should be " + expected
                + " but is " + v.getClass().getSimpleName() + " '" + shown + "'");
    }

    /** "event eventId=e42" (or the entity and time when there is no id) for error messages. */
    String describe(IndexedRecord event) {
        try {
            int[] pos = positions(event);
            if (idIdx >= 0 && event.get(pos[idIdx]) != null) {
                return "event " + idField + "=" + event.get(pos[idIdx]);
            }
            return "event of " + keyField + "=" + event.get(pos[keyIdx]) + " at " + timeField + "=" + event.get(pos[timeIdx]);
        } catch (RuntimeException e) {
            return "event " + event.getSchema().getName();
        }
    }

    /** Positions of the fields read in records of {@code event}'s schema, indexed like the names. */
    int[] positions(IndexedRecord event) {
        Schema schema = event.getSchema();
        Positions p = positions;
        if (p != null && p.schema == schema) {
            return p.pos;
        }
        if (p != null && p.schema.equals(schema)) {
            // the same schema parsed again (a decoder's own copy): remembered by this instance, so the
            // next record of it costs a comparison of references, not of whole schemas
            positions = new Positions(schema, p.pos);
            return p.pos;
        }
        // a record of another schema version (e.g. a generated class beside a parsed schema)
        p = resolve(schema);
        positions = p;
        return p.pos;
    }

    private Positions resolve(Schema schema) {
        int[] pos = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            Schema.Field f = schema.getField(names[i]);
            if (f == null) {
                throw new FeatureExtractionException(names[i], "records of schema " + schema.getFullName()
                        + " have no field '" + names[i] + "' that the feature spec reads");
            }
            pos[i] = f.pos();
        }
        return new Positions(schema, pos);
    }
}
