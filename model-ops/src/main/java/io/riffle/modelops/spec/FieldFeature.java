package io.riffle.modelops.spec;

import java.util.List;

/** A feature computed from one field of the event alone (no state): one entry of {@code features.fields}. */
public sealed interface FieldFeature extends java.io.Serializable permits FieldFeature.Numeric, FieldFeature.Bool, FieldFeature.Categorical {

    /** The Avro field it reads. */
    String field();

    /**
     * A number, optionally clipped to {@code [clipLow, clipHigh]} and then passed through a signed
     * {@code log1p} ({@code sign(x) * ln(1 + |x|)}, so negative amounts keep their order). A missing
     * value is replaced first, by the rule. {@code clipLow}/{@code clipHigh} are infinite when not clipped.
     */
    record Numeric(String field, double clipLow, double clipHigh, boolean log1p, MissingRule missing) implements FieldFeature {
        public boolean clipped() {
            return clipLow != Double.NEGATIVE_INFINITY || clipHigh != Double.POSITIVE_INFINITY;
        }
    }

    /** A boolean as 1 or 0. */
    record Bool(String field, MissingRule missing) implements FieldFeature {}

    /**
     * A categorical value one-hot encoded, either into {@code hashBuckets} buckets by a stable hash
     * (FNV-1a of the UTF-8 text), or over {@code vocabulary} plus an "other" column. Exactly one of
     * the two is set ({@code hashBuckets} is 0 with a vocabulary). A missing value gives all zeros.
     */
    record Categorical(String field, int hashBuckets, List<String> vocabulary) implements FieldFeature {
        public Categorical {
            vocabulary = List.copyOf(vocabulary);
        }

        public boolean hashed() {
            return hashBuckets > 0;
        }
    }
}
