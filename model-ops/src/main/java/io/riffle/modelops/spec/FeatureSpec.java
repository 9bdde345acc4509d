package io.riffle.modelops.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code features:} section, typed and with everything it depends on from {@code events:}
 * (entity key, event-time field and unit). Vector order: field features in file order, then time
 * features, then aggregates (file order, windows ascending within each; a count by category has
 * its categories' columns within each window), then ratios.
 *
 * <p>{@link #hash()} is the SHA-256 of {@link #canonicalJson()}: the semantic content with sorted
 * keys, durations in milliseconds and every default written out, so a model trained on one spec is
 * refused by a scorer running another, while re-ordering keys in the file or writing a default
 * explicitly changes nothing.
 */
public final class FeatureSpec implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    /** Bumped when the meaning of a feature function changes, so old hashes stop matching. */
    public static final String VERSION = "riffle-features/1";

    /** Bits of the per-bucket sketch behind {@code distinct}; part of the hash. */
    public static final int DISTINCT_SKETCH_BITS = 256;

    /** Time buckets per window when the file does not say. */
    public static final int DEFAULT_BUCKETS = 20;

    private final String entityKey;
    private final String timeField;
    private final EventsSpec.TimeUnit timeUnit;
    private final List<FieldFeature> fields;
    private final List<TimeFeature> timeFeatures;
    private final int buckets;
    private final List<AggregateFeature> aggregates;
    private final List<RatioFeature> ratios;
    private final List<String> names;
    private final String canonicalJson;
    private final String hash;

    public FeatureSpec(String entityKey, String timeField, EventsSpec.TimeUnit timeUnit, List<FieldFeature> fields,
                       List<TimeFeature> timeFeatures, int buckets, List<AggregateFeature> aggregates,
                       List<RatioFeature> ratios) {
        this.entityKey = Objects.requireNonNull(entityKey, "entityKey");
        this.timeField = Objects.requireNonNull(timeField, "timeField");
        this.timeUnit = Objects.requireNonNull(timeUnit, "timeUnit");
        this.fields = List.copyOf(fields);
        this.timeFeatures = List.copyOf(timeFeatures);
        if (buckets < 1) {
            throw new IllegalArgumentException("buckets must be >= 1, got " + buckets);
        }
        this.buckets = buckets;
        this.aggregates = List.copyOf(aggregates);
        Duration gap = null;
        for (AggregateFeature a : this.aggregates) {
            if (a.function().session()) {
                if (a.gap() == null || a.gap().isZero() || a.gap().isNegative() || gap != null && !gap.equals(a.gap())) {
                    // one session per entity: the state keeps one, so every session feature reads it
                    throw new IllegalArgumentException("session features need one positive gap, shared by all; found "
                            + a.gap() + (gap == null ? "" : " and " + gap));
                }
                gap = a.gap();
            }
        }
        this.ratios = List.copyOf(ratios);
        this.names = List.copyOf(deriveNames());
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (!seen.add(n)) {
                throw new IllegalArgumentException("feature name '" + n + "' is produced twice");
            }
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("a feature spec needs at least one feature");
        }
        this.canonicalJson = canonical();
        this.hash = sha256(canonicalJson);
    }

    public String entityKey() {
        return entityKey;
    }

    public String timeField() {
        return timeField;
    }

    public EventsSpec.TimeUnit timeUnit() {
        return timeUnit;
    }

    public List<FieldFeature> fields() {
        return fields;
    }

    public List<TimeFeature> timeFeatures() {
        return timeFeatures;
    }

    /** Buckets per window (the aggregates' resolution: W / buckets). */
    public int buckets() {
        return buckets;
    }

    public List<AggregateFeature> aggregates() {
        return aggregates;
    }

    public List<RatioFeature> ratios() {
        return ratios;
    }

    /** Feature names in vector order. */
    public List<String> names() {
        return names;
    }

    /** Length of the feature vector. */
    public int count() {
        return names.size();
    }

    /** Lower-case hex SHA-256 of {@link #canonicalJson()}. */
    public String hash() {
        return hash;
    }

    /** Sorted-key JSON of the spec's meaning; stored with models so a spec can be shown and compared. */
    public String canonicalJson() {
        return canonicalJson;
    }

    /** The session gap of the session features, or null when there are none (they all share one gap). */
    public Duration sessionGap() {
        for (AggregateFeature a : aggregates) {
            if (a.function().session()) {
                return a.gap();
            }
        }
        return null;
    }

    /**
     * Every window some aggregate or ratio reads, ascending: the windows the entity state keeps
     * buckets for.
     */
    public List<Duration> stateWindows() {
        TreeSet<Duration> all = new TreeSet<>();
        for (AggregateFeature a : aggregates) {
            all.addAll(a.windows());
        }
        for (RatioFeature r : ratios) {
            for (RatioFeature.Operand o : List.of(r.of(), r.to())) {
                if (!o.isField()) {
                    all.add(o.window());
                }
            }
        }
        return List.copyOf(all);
    }

    private List<String> deriveNames() {
        List<String> out = new ArrayList<>();
        for (FieldFeature f : fields) {
            if (f instanceof FieldFeature.Numeric n) {
                out.add(n.log1p() ? n.field() + "_log1p" : n.field());
                if (n.missing().kind() == MissingRule.Kind.FLAG) {
                    out.add(n.field() + "_missing");
                }
            } else if (f instanceof FieldFeature.Bool b) {
                out.add(b.field());
                if (b.missing().kind() == MissingRule.Kind.FLAG) {
                    out.add(b.field() + "_missing");
                }
            } else if (f instanceof FieldFeature.Categorical c) {
                if (c.hashed()) {
                    for (int i = 0; i < c.hashBuckets(); i++) {
                        out.add(c.field() + "_hash_" + i);
                    }
                } else {
                    for (String v : c.vocabulary()) {
                        out.add(c.field() + "_" + columnSafe(v));
                    }
                    out.add(c.field() + "_other");
                }
            }
        }
        for (TimeFeature t : timeFeatures) {
            out.add(t.prefix() + "_sin");
            out.add(t.prefix() + "_cos");
        }
        for (AggregateFeature a : aggregates) {
            if (!a.function().windowed()) {
                out.add(a.name(null));
            } else {
                for (Duration w : a.windows()) {
                    for (int c = 0; c < a.width(); c++) {
                        out.add(a.name(w, c));
                    }
                }
            }
        }
        for (RatioFeature r : ratios) {
            out.add(r.name());
        }
        return out;
    }

    /**
     * The one-hot columns of categorical field {@code field} (its vocabulary's columns and
     * {@code _other}, or its hash buckets), in vector order: the segments a popularity baseline
     * ranks classes within. Empty when {@code field} is not a categorical feature.
     */
    public List<String> segmentColumns(String field) {
        for (FieldFeature f : fields) {
            if (f instanceof FieldFeature.Categorical c && c.field().equals(field)) {
                List<String> out = new ArrayList<>();
                if (c.hashed()) {
                    for (int i = 0; i < c.hashBuckets(); i++) {
                        out.add(c.field() + "_hash_" + i);
                    }
                } else {
                    for (String v : c.vocabulary()) {
                        out.add(c.field() + "_" + columnSafe(v));
                    }
                    out.add(c.field() + "_other");
                }
                return out;
            }
        }
        return List.of();
    }

    /** A vocabulary value as part of a column name: letters, digits and '_' only. */
    public static String columnSafe(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            sb.append(Character.isLetterOrDigit(c) && c < 128 ? c : '_');
        }
        return sb.toString();
    }

    private String canonical() {
        // TreeMaps sort keys; lists keep their order because order is meaning (vector columns)
        Map<String, Object> root = new TreeMap<>();
        root.put("version", VERSION);
        root.put("entityKey", entityKey);
        root.put("eventTime", Map.of("field", timeField, "unit", SpecReader.spelling(timeUnit)));
        root.put("categoricalHash", "fnv1a32");
        root.put("distinctSketchBits", DISTINCT_SKETCH_BITS);
        root.put("buckets", buckets);
        List<Object> fieldList = new ArrayList<>();
        for (FieldFeature f : fields) {
            Map<String, Object> m = new TreeMap<>();
            m.put("field", f.field());
            if (f instanceof FieldFeature.Numeric n) {
                m.put("kind", "numeric");
                m.put("clip", n.clipped() ? List.of(n.clipLow(), n.clipHigh()) : null);
                m.put("log1p", n.log1p());
                m.put("missing", missing(n.missing()));
            } else if (f instanceof FieldFeature.Bool b) {
                m.put("kind", "boolean");
                m.put("missing", missing(b.missing()));
            } else if (f instanceof FieldFeature.Categorical c) {
                m.put("kind", "categorical");
                m.put("hash", c.hashBuckets());
                m.put("oneHot", c.hashed() ? null : c.vocabulary());
            }
            fieldList.add(m);
        }
        root.put("fields", fieldList);
        root.put("time", timeFeatures.stream().map(TimeFeature::spelling).toList());
        List<Object> aggList = new ArrayList<>();
        for (AggregateFeature a : aggregates) {
            Map<String, Object> m = new TreeMap<>();
            m.put("function", a.function().spelling());
            m.put("field", a.field());
            m.put("windowsMs", a.windows().stream().map(Duration::toMillis).toList());
            m.put("log1p", a.log1p());
            m.put("missing", missing(a.missing()));
            m.put("capMs", a.cap() == null ? null : a.cap().toMillis());
            // Only the new functions carry these keys, so that the hash of every spec written
            // before they existed (and the models trained on it) stays what it was.
            if (a.function() == AggregateFeature.Function.COUNT_BY) {
                m.put("values", a.hashedTop() ? null : a.values());
                m.put("top", a.top());
                m.put("topSummary", a.hashedTop() ? "misra-gries-per-bucket/fnv1a64-mod-top" : null);
                m.put("share", a.share());
            }
            if (a.function().session()) {
                m.put("gapMs", a.gap().toMillis());
            }
            aggList.add(m);
        }
        root.put("aggregates", aggList);
        List<Object> ratioList = new ArrayList<>();
        for (RatioFeature r : ratios) {
            Map<String, Object> m = new TreeMap<>();
            m.put("of", r.of().expression());
            m.put("to", r.to().expression());
            m.put("whenZero", r.whenZero());
            ratioList.add(m);
        }
        root.put("ratios", ratioList);
        root.put("names", names);
        try {
            return CANONICAL.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the canonical feature spec", e);
        }
    }

    private static Map<String, Object> missing(MissingRule r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", r.kind().name().toLowerCase(java.util.Locale.ROOT));
        m.put("value", r.kind() == MissingRule.Kind.VALUE ? r.value() : null);
        return m;
    }

    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureSpec other && canonicalJson.equals(other.canonicalJson);
    }

    @Override
    public int hashCode() {
        return canonicalJson.hashCode();
    }

    @Override
    public String toString() {
        return "FeatureSpec[" + count() + " features, hash " + hash.substring(0, 12) + "]";
    }
}
