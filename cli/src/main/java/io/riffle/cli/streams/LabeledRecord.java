package io.riffle.cli.streams;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One record of a synthetic stream: its attributes by name, in the stream's attribute order
 * ({@link Double} for numeric attributes, {@link Integer} for categorical codes), and its 0/1 label.
 */
public record LabeledRecord(Map<String, Object> attributes, int label) {

    public LabeledRecord {
        if (label != 0 && label != 1) {
            throw new IllegalArgumentException("label must be 0 or 1, got " + label);
        }
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    /** A numeric attribute. */
    public double number(String name) {
        return ((Number) attributes.get(name)).doubleValue();
    }
}
