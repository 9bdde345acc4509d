package io.riffle.modelops.privacy;

import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.PrivacySpec;
import io.riffle.modelops.spec.SchemaFields;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A pipeline's {@code privacy:} applied to what leaves the scorer: the entity id of scores, alerts
 * and feature vectors becomes its token ({@link #token}); a dead-lettered event becomes a copy with
 * each hashed field (the entity key and every {@code pii} field) replaced by its token
 * ({@link #pseudonymized}); an error message has every clear value of those fields replaced by its
 * token ({@link #scrub}). Tokens are {@link PiiHasher}'s, of the value's text (a number's Java/Avro
 * text, e.g. {@code 42} or {@code 4.5}).
 */
public final class Pseudonymizer implements Serializable {
    private static final long serialVersionUID = 1L;

    private final PiiHasher hasher;
    /** The entity key first, then the PII fields. */
    private final String[] fields;

    public Pseudonymizer(PiiHasher hasher, List<String> fields) {
        this.hasher = hasher;
        this.fields = fields.toArray(String[]::new);
    }

    /** {@code spec}'s pseudonymizer, or null when the pipeline has no {@code privacy:} section. */
    public static Pseudonymizer of(PipelineSpec spec) {
        PrivacySpec privacy = spec.privacy();
        if (privacy == null) {
            return null;
        }
        return new Pseudonymizer(new PiiHasher(privacy.key()), privacy.hashedFields(spec.events().keyField()));
    }

    /** The fields hashed: the entity key first. */
    public List<String> fields() {
        return List.of(fields);
    }

    public String token(CharSequence clear) {
        return hasher.token(clear);
    }

    /** A Kafka key's token as UTF-8 bytes (a key is the entity id's text), or null for null. */
    public byte[] tokenKey(byte[] clearKey) {
        return clearKey == null ? null : hasher.token(clearKey).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A copy of {@code event} (the event itself is untouched) with every non-null hashed field
     * replaced by its token. A token is text: for JSON output ({@code json}) any field takes it;
     * an Avro record cannot hold text in a number, boolean or enum field, so such a field is set
     * to null instead (and the encoding of a copy whose field does not allow null fails, so the
     * dead letter then carries no value at all: better than the clear one).
     */
    public GenericRecord pseudonymized(GenericRecord event, boolean json) {
        Schema schema = event.getSchema();
        GenericData.Record copy = new GenericData.Record(schema);
        for (Schema.Field f : schema.getFields()) {
            copy.put(f.pos(), event.get(f.pos()));
        }
        for (String name : fields) {
            Schema.Field f = schema.getField(name);
            if (f == null) {
                continue;
            }
            Object v = event.get(f.pos());
            if (v == null) {
                continue;
            }
            copy.put(f.pos(), json || SchemaFields.baseType(f) == Schema.Type.STRING ? hasher.token(v.toString()) : null);
        }
        return copy;
    }

    /**
     * {@code message} with each clear value of a hashed field of {@code event} (and {@code alsoClear},
     * e.g. a Kafka key) replaced by its token, in one pass, longest values first (so a value inside
     * another, or inside a token already written, is never replaced twice). {@code event} may be null.
     */
    public String scrub(String message, GenericRecord event, String... alsoClear) {
        if (message == null) {
            return null;
        }
        List<String> clear = new ArrayList<>(Arrays.asList(alsoClear));
        if (event != null) {
            Schema schema = event.getSchema();
            for (String name : fields) {
                Schema.Field f = schema.getField(name);
                Object v = f == null ? null : event.get(f.pos());
                if (v != null) {
                    clear.add(v.toString());
                }
            }
        }
        clear.removeIf(c -> c == null || c.isEmpty());
        if (clear.isEmpty()) {
            return message;
        }
        clear.sort(Comparator.comparingInt(String::length).reversed());
        StringBuilder out = new StringBuilder(message.length() + 64);
        int i = 0;
        outer:
        while (i < message.length()) {
            for (String c : clear) {
                if (message.startsWith(c, i)) {
                    out.append(hasher.token(c));
                    i += c.length();
                    continue outer;
                }
            }
            out.append(message.charAt(i++));
        }
        return out.toString();
    }

    /**
     * The message of a record that could not be decoded: the clear Kafka key replaced by its
     * token, and, when the message is about a hashed field ({@code field 'cardId' ...}: a decoder
     * quotes the offending value), cut after the field's name. The value itself is unknown here,
     * so it cannot be replaced by a token.
     */
    public String scrubUndecoded(String message, String clearKey) {
        String scrubbed = scrub(message, null, clearKey);
        if (scrubbed == null) {
            return null;
        }
        for (String name : fields) {
            String mention = "field '" + name + "'";
            int at = scrubbed.indexOf(mention);
            if (at >= 0) {
                return scrubbed.substring(0, at + mention.length())
                        + " is not valid (the details would quote its value, which is personal data: privacy.pii)";
            }
        }
        return scrubbed;
    }

    @Override
    public String toString() {
        return "Pseudonymizer[fields=" + Arrays.toString(fields) + "]";
    }
}
