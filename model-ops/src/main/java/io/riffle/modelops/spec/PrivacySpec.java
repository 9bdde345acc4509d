package io.riffle.modelops.spec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code privacy:} section: event fields that are personal data ({@code pii}) and the HMAC
 * key their tokens are made with. When the section is present, the entity key field is hashed
 * too, listed or not: an entity is a person, a card, a device.
 *
 * <p>{@link #toString()} never shows the key; {@link #key()} returns a copy.
 *
 * @param pii the fields as listed, in file order (the entity key only if listed)
 * @param key the HMAC-SHA256 key: the UTF-8 bytes of {@code privacy.key}, at least {@link #MIN_KEY_BYTES}
 */
public record PrivacySpec(List<String> pii, byte[] key) {

    /** The shortest key accepted: 128 bits. */
    public static final int MIN_KEY_BYTES = 16;

    public PrivacySpec {
        pii = List.copyOf(pii);
        key = key.clone();
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    /** What leaves the scorer hashed: {@code entityKey} first, then every listed field. */
    public List<String> hashedFields(String entityKey) {
        List<String> fields = new ArrayList<>();
        fields.add(entityKey);
        for (String f : pii) {
            if (!f.equals(entityKey)) {
                fields.add(f);
            }
        }
        return fields;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrivacySpec p && pii.equals(p.pii) && Arrays.equals(key, p.key);
    }

    @Override
    public int hashCode() {
        return 31 * pii.hashCode() + Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return "PrivacySpec[pii=" + pii + ", key=(" + key.length + " bytes, not shown)]";
    }
}
