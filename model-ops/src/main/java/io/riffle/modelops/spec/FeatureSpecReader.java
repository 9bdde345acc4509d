package io.riffle.modelops.spec;

import io.riffle.modelops.spec.AggregateFeature.Function;
import io.riffle.modelops.spec.PipelineSpecReader.FieldCheck;
import io.riffle.modelops.spec.SpecReader.Section;
import io.riffle.modelops.spec.YamlTree.Entry;
import io.riffle.modelops.spec.YamlTree.ListNode;
import io.riffle.modelops.spec.YamlTree.Node;
import io.riffle.modelops.spec.YamlTree.ScalarNode;
import org.apache.avro.Schema;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code features:} section: field and time features here, windows, aggregates and
 * ratios with {@link AggregateSpecReader}. Function names are snake_case ({@code one_hot},
 * {@code time_since_previous}) because they also appear in column names; option keys are
 * kebab-case like the rest of the file ({@code when-zero}).
 */
final class FeatureSpecReader {

    static final List<String> FIELD_KINDS = List.of("numeric", "boolean", "categorical");
    static final Map<String, TimeFeature> TIME = Map.of("hour_of_day", TimeFeature.HOUR_OF_DAY, "day_of_week", TimeFeature.DAY_OF_WEEK);
    /** A session ends after this much silence unless {@code aggregates.session-gap} says otherwise (a common web-analytics default). */
    static final Duration DEFAULT_SESSION_GAP = Duration.ofMinutes(30);
    private static final Pattern MISSING_VALUE = Pattern.compile("value\\s+(\\S+)");

    private final SpecReader r;
    private final FieldCheck check;
    private final AggregateSpecReader aggregates;

    FeatureSpecReader(SpecReader r, Schema schema, String file) {
        this.r = r;
        this.check = new FieldCheck(r, schema, file);
        this.aggregates = new AggregateSpecReader(r, check);
    }

    /** The spec, or null when there were errors (they are in the reader). */
    FeatureSpec read(Section s, String entityKey, String timeField, EventsSpec.TimeUnit unit) {
        int before = r.errors().size();
        s.allow("fields", "time", "aggregates", "ratios");
        List<FieldFeature> fields = fields(s);
        List<TimeFeature> time = time(s);
        Section agg = s.section("aggregates");
        int buckets = FeatureSpec.DEFAULT_BUCKETS;
        List<AggregateFeature> aggregates = List.of();
        if (agg != null) {
            agg.allow("windows", "buckets", "functions", "session-gap");
            buckets = agg.integer("buckets", FeatureSpec.DEFAULT_BUCKETS, 1, 1000);
            List<Duration> windows = this.aggregates.windows(agg.list("windows"), agg.pathOf("windows"));
            Duration gap = agg.duration("session-gap", DEFAULT_SESSION_GAP);
            if (gap.isZero()) {
                r.error(agg.valueMark("session-gap"), agg.pathOf("session-gap"), "a session gap must be longer than 0");
                gap = DEFAULT_SESSION_GAP;
            }
            aggregates = this.aggregates.aggregates(agg, windows, gap);
        }
        List<RatioFeature> ratios = this.aggregates.ratios(s);
        if (r.errors().size() > before || entityKey == null || timeField == null) {
            return null;
        }
        try {
            return new FeatureSpec(entityKey, timeField, unit, fields, time, buckets, aggregates, ratios);
        } catch (IllegalArgumentException e) {
            r.error(s.mark, s.path, e.getMessage());
            return null;
        }
    }

    private List<FieldFeature> fields(Section s) {
        List<FieldFeature> out = new ArrayList<>();
        List<Node> items = s.list("fields");
        for (int i = 0; i < items.size(); i++) {
            Node n = items.get(i);
            String path = SpecReader.index(s.pathOf("fields"), i);
            Section item = r.section(n, path, n.mark());
            if (item == null) {
                continue;
            }
            String kind = null;
            for (String k : FIELD_KINDS) {
                if (item.has(k)) {
                    if (kind != null) {
                        r.error(item.keyMark(k), item.pathOf(k), "one feature entry has one kind, found both '" + kind
                                + "' and '" + k + "'; write two entries");
                    } else {
                        kind = k;
                    }
                }
            }
            if (kind == null) {
                unknownKind(item, path);
                continue;
            }
            String field = item.requiredText(kind, "the field to read");
            switch (kind) {
                case "numeric" -> {
                    item.allow("numeric", "clip", "log1p", "missing");
                    if (field != null) {
                        check.field(item, kind, field, SchemaFields.NUMERIC, "a numeric feature");
                    }
                    double[] clip = clip(item);
                    out.add(new FieldFeature.Numeric(field, clip[0], clip[1], item.bool("log1p", false), missing(r, item, true)));
                }
                case "boolean" -> {
                    item.allow("boolean", "missing");
                    if (field != null) {
                        check.field(item, kind, field, SchemaFields.BOOLEAN, "a boolean feature");
                    }
                    out.add(new FieldFeature.Bool(field, missing(r, item, true)));
                }
                default -> {
                    item.allow("categorical", "hash", "one_hot");
                    if (field != null) {
                        check.field(item, kind, field, SchemaFields.CATEGORICAL, "a categorical feature");
                    }
                    out.add(categorical(item, field));
                }
            }
        }
        return out;
    }

    private void unknownKind(Section item, String path) {
        if (item.node.entries().isEmpty()) {
            r.error(item.mark, path, "empty feature entry; start it with one of " + String.join(", ", FIELD_KINDS));
            return;
        }
        Entry first = item.node.entries().values().iterator().next();
        r.error(first.keyMark(), SpecReader.child(path, first.key()), "unknown feature kind '" + first.key() + "'"
                + Suggestions.didYouMean(first.key(), FIELD_KINDS) + "; a field feature starts with one of: "
                + String.join(", ", FIELD_KINDS) + " (aggregates go under features.aggregates.functions)");
    }

    private double[] clip(Section item) {
        double[] none = {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY};
        if (!item.has("clip")) {
            return none;
        }
        Node n = item.raw("clip");
        if (n instanceof ListNode l && l.items().size() == 2
                && l.items().get(0) instanceof ScalarNode lo && lo.isNumber()
                && l.items().get(1) instanceof ScalarNode hi && hi.isNumber()) {
            double low = SpecReader.parseDouble(lo.text());
            double high = SpecReader.parseDouble(hi.text());
            if (Double.isFinite(low) && Double.isFinite(high) && low < high) {
                return new double[] {low, high};
            }
        }
        r.error(n.mark(), item.pathOf("clip"), "expected [low, high] with two finite numbers, low < high; found " + n.describe());
        return none;
    }

    /** A {@code missing:} rule: absent is {@link MissingRule#ERROR}; {@code flag} only where a flag column can follow. */
    static MissingRule missing(SpecReader r, Section item, boolean flagAllowed) {
        String t = item.text("missing", null);
        if (t == null) {
            return MissingRule.ERROR;
        }
        String v = t.trim();
        if (v.equals("flag") && flagAllowed) {
            return MissingRule.FLAG;
        }
        Matcher m = MISSING_VALUE.matcher(v);
        if (m.matches()) {
            Double d = SpecReader.parseDouble(m.group(1));
            if (d != null && Double.isFinite(d)) {
                return MissingRule.value(d);
            }
        }
        r.error(item.valueMark("missing"), item.pathOf("missing"), "'" + t + "' is not a missing-value rule; allowed: "
                + (flagAllowed ? "flag, " : "") + "value <number> (e.g. 'value 0')");
        return MissingRule.ERROR;
    }

    private FieldFeature categorical(Section item, String field) {
        boolean hash = item.has("hash");
        boolean oneHot = item.has("one_hot");
        if (hash == oneHot) {
            r.error(item.mark, item.path, "a categorical feature needs exactly one of 'hash: <buckets>' or "
                    + "'one_hot: [values...]'" + (hash ? ", found both" : ""));
            return new FieldFeature.Categorical(field, 1, List.of());
        }
        if (hash) {
            return new FieldFeature.Categorical(field, item.integer("hash", 1, 1, 65_536), List.of());
        }
        List<String> vocabulary = new ArrayList<>();
        Set<String> columns = new HashSet<>();
        columns.add("other");
        List<Node> values = item.list("one_hot");
        if (values.isEmpty()) {
            r.error(item.valueMark("one_hot"), item.pathOf("one_hot"), "one_hot needs at least one value");
        }
        for (int i = 0; i < values.size(); i++) {
            Node v = values.get(i);
            String p = SpecReader.index(item.pathOf("one_hot"), i);
            if (!(v instanceof ScalarNode s) || s.isNull()) {
                r.error(v.mark(), p, "expected a value, found " + v.describe());
                continue;
            }
            if (!columns.add(FeatureSpec.columnSafe(s.text()))) {
                r.error(v.mark(), p, "'" + s.text() + "' gives the column " + field + "_" + FeatureSpec.columnSafe(s.text())
                        + " twice (values are listed once; 'other' is reserved)");
                continue;
            }
            vocabulary.add(s.text());
        }
        return new FieldFeature.Categorical(field, 0, vocabulary);
    }

    private List<TimeFeature> time(Section s) {
        List<TimeFeature> out = new ArrayList<>();
        List<Node> items = s.list("time");
        for (int i = 0; i < items.size(); i++) {
            Node n = items.get(i);
            String p = SpecReader.index(s.pathOf("time"), i);
            String t = n instanceof ScalarNode sc ? sc.text() : null;
            TimeFeature f = t == null ? null : TIME.get(t);
            if (f == null) {
                r.error(n.mark(), p, "unknown time feature " + n.describe() + Suggestions.didYouMean(t, TIME.keySet())
                        + "; allowed: hour_of_day, day_of_week");
            } else if (out.contains(f)) {
                r.error(n.mark(), p, "time feature '" + t + "' is listed twice");
            } else {
                out.add(f);
            }
        }
        return out;
    }
}
