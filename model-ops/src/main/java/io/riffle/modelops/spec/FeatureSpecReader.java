package io.riffle.modelops.spec;

import io.riffle.modelops.spec.AggregateFeature.Function;
import io.riffle.modelops.spec.PipelineSpecReader.FieldCheck;
import io.riffle.modelops.spec.SpecReader.Section;
import io.riffle.modelops.spec.YamlTree.Entry;
import io.riffle.modelops.spec.YamlTree.ListNode;
import io.riffle.modelops.spec.YamlTree.MapNode;
import io.riffle.modelops.spec.YamlTree.Mark;
import io.riffle.modelops.spec.YamlTree.Node;
import io.riffle.modelops.spec.YamlTree.ScalarNode;
import org.apache.avro.Schema;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code features:} section. Function names are snake_case ({@code one_hot},
 * {@code time_since_previous}) because they also appear in column names; option keys are
 * kebab-case like the rest of the file ({@code when-zero}).
 */
final class FeatureSpecReader {

    static final List<String> FIELD_KINDS = List.of("numeric", "boolean", "categorical");
    static final Map<String, Function> FUNCTIONS = spellings();
    static final List<String> AGGREGATE_OPTIONS = List.of("windows", "log1p", "missing", "cap");
    static final Map<String, TimeFeature> TIME = Map.of("hour_of_day", TimeFeature.HOUR_OF_DAY, "day_of_week", TimeFeature.DAY_OF_WEEK);
    private static final Pattern CALL = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\(([^()]*)\\)\\s*");
    private static final Pattern IDENT = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*");
    private static final Pattern MISSING_VALUE = Pattern.compile("value\\s+(\\S+)");

    private final SpecReader r;
    private final Schema schema;
    private final FieldCheck check;

    FeatureSpecReader(SpecReader r, Schema schema, String file) {
        this.r = r;
        this.schema = schema;
        this.check = new FieldCheck(r, schema, file);
    }

    private static Map<String, Function> spellings() {
        Map<String, Function> m = new LinkedHashMap<>();
        for (Function f : Function.values()) {
            m.put(f.spelling(), f);
        }
        return m;
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
            agg.allow("windows", "buckets", "functions");
            buckets = agg.integer("buckets", FeatureSpec.DEFAULT_BUCKETS, 1, 1000);
            List<Duration> windows = windows(agg.list("windows"), agg.pathOf("windows"));
            aggregates = aggregates(agg, windows);
        }
        List<RatioFeature> ratios = ratios(s);
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
                    out.add(new FieldFeature.Numeric(field, clip[0], clip[1], item.bool("log1p", false), missing(item, true)));
                }
                case "boolean" -> {
                    item.allow("boolean", "missing");
                    if (field != null) {
                        check.field(item, kind, field, SchemaFields.BOOLEAN, "a boolean feature");
                    }
                    out.add(new FieldFeature.Bool(field, missing(item, true)));
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

    private MissingRule missing(Section item, boolean flagAllowed) {
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

    /** Windows ascending, duplicates refused: order in the file carries no meaning. */
    private List<Duration> windows(List<Node> items, String path) {
        TreeSet<Duration> out = new TreeSet<>();
        for (int i = 0; i < items.size(); i++) {
            Node n = items.get(i);
            String p = SpecReader.index(path, i);
            Duration d = window(n, p);
            if (d != null && !out.add(d)) {
                r.error(n.mark(), p, "window " + Durations.format(d) + " is listed twice");
            }
        }
        return List.copyOf(out);
    }

    private Duration window(Node n, String path) {
        if (!(n instanceof ScalarNode s) || s.isNull()) {
            r.error(n.mark(), path, "a window must be a duration (" + Durations.ALLOWED + "), found " + n.describe());
            return null;
        }
        try {
            Duration d = Durations.parse(s.text());
            if (d.isZero()) {
                r.error(n.mark(), path, "a window must be longer than 0");
                return null;
            }
            return d;
        } catch (IllegalArgumentException e) {
            r.error(n.mark(), path, "window " + e.getMessage());
            return null;
        }
    }

    private List<AggregateFeature> aggregates(Section agg, List<Duration> defaults) {
        List<AggregateFeature> out = new ArrayList<>();
        List<Node> items = agg.list("functions");
        String listPath = agg.pathOf("functions");
        Duration defaultCap = defaults.isEmpty() ? Duration.ofDays(1) : defaults.get(defaults.size() - 1);
        for (int i = 0; i < items.size(); i++) {
            Node n = items.get(i);
            String path = SpecReader.index(listPath, i);
            Function fn;
            Section item;
            String field = null;
            if (n instanceof ScalarNode s && !s.isNull()) {
                // "- count" / "- time_since_previous": a function without field or options
                fn = function(s.text(), n.mark(), path);
                if (fn == null) {
                    continue;
                }
                item = new SpecReader(r.file()).section(new MapNode(n.mark(), Map.of()), path, n.mark());
                if (fn != Function.COUNT && fn != Function.TIME_SINCE_PREVIOUS) {
                    r.error(n.mark(), path, fn.spelling() + " needs a field: write '" + fn.spelling() + ": <field>'");
                    continue;
                }
            } else {
                item = r.section(n, path, n.mark());
                if (item == null) {
                    continue;
                }
                List<Entry> fnEntries = item.node.entries().values().stream()
                        .filter(e -> !AGGREGATE_OPTIONS.contains(e.key())).toList();
                if (fnEntries.size() != 1) {
                    r.error(item.mark, path, fnEntries.isEmpty()
                            ? "no function; start the entry with one of " + String.join(", ", FUNCTIONS.keySet())
                            : "one entry has one function, found " + fnEntries.stream().map(Entry::key).toList());
                    continue;
                }
                Entry e = fnEntries.get(0);
                fn = function(e.key(), e.keyMark(), SpecReader.child(path, e.key()));
                if (fn == null) {
                    continue;
                }
                List<String> allowed = new ArrayList<>(List.of(e.key(), "log1p"));
                if (fn != Function.TIME_SINCE_PREVIOUS) {
                    allowed.add("windows");
                }
                if (fn.numeric()) {
                    allowed.add("missing");
                }
                if (fn == Function.TIME_SINCE_PREVIOUS) {
                    allowed.add("cap");
                }
                item.allow(allowed.toArray(String[]::new));
                field = item.text(e.key(), null);
                boolean needsField = fn != Function.COUNT && fn != Function.TIME_SINCE_PREVIOUS;
                if (needsField && field == null) {
                    r.error(e.keyMark(), item.pathOf(e.key()), fn.spelling() + " needs a field: write '" + fn.spelling() + ": <field>'");
                    continue;
                }
                if (!needsField && field != null) {
                    r.error(item.valueMark(e.key()), item.pathOf(e.key()), fn.spelling() + " takes no field; write '- "
                            + fn.spelling() + "'");
                    continue;
                }
                if (field != null) {
                    check.field(item, e.key(), field, fn.numeric() ? SchemaFields.NUMERIC : SchemaFields.ANY_SCALAR,
                            "'" + fn.spelling() + "'");
                }
            }
            List<Duration> windows = List.of();
            Duration cap = null;
            if (fn == Function.TIME_SINCE_PREVIOUS) {
                cap = item.duration("cap", defaultCap);
            } else if (item.has("windows")) {
                windows = windows(item.list("windows"), item.pathOf("windows"));
            } else {
                windows = defaults;
            }
            if (fn != Function.TIME_SINCE_PREVIOUS && windows.isEmpty()) {
                r.error(item.mark, path, "no windows for " + fn.spelling() + ": set features.aggregates.windows "
                        + "or 'windows: [...]' on this entry");
                continue;
            }
            MissingRule missing = fn.numeric() ? missing(item, false) : MissingRule.ERROR;
            out.add(new AggregateFeature(fn, field, windows, item.bool("log1p", false), missing, cap));
        }
        return out;
    }

    private Function function(String name, Mark mark, String path) {
        Function f = FUNCTIONS.get(name);
        if (f == null) {
            r.error(mark, path, "unknown feature function '" + name + "'" + Suggestions.didYouMean(name, FUNCTIONS.keySet())
                    + "; allowed: " + String.join(", ", FUNCTIONS.keySet()));
        }
        return f;
    }

    private List<RatioFeature> ratios(Section s) {
        List<RatioFeature> out = new ArrayList<>();
        List<Node> items = s.list("ratios");
        for (int i = 0; i < items.size(); i++) {
            Node n = items.get(i);
            String path = SpecReader.index(s.pathOf("ratios"), i);
            Section item = r.section(n, path, n.mark());
            if (item == null) {
                continue;
            }
            item.allow("of", "to", "when-zero");
            RatioFeature.Operand of = operand(item, "of");
            RatioFeature.Operand to = operand(item, "to");
            double whenZero = item.number("when-zero", 0.0, -Double.MAX_VALUE, Double.MAX_VALUE);
            if (of != null && to != null) {
                out.add(new RatioFeature(of, to, whenZero));
            }
        }
        return out;
    }

    /** {@code field}, {@code count(W)} or {@code sum|mean|std|min|max(field, W)}. */
    private RatioFeature.Operand operand(Section item, String key) {
        String text = item.requiredText(key, "a field or an aggregate such as mean(amount, 24h)");
        if (text == null) {
            return null;
        }
        Mark mark = item.valueMark(key);
        String path = item.pathOf(key);
        Matcher ident = IDENT.matcher(text);
        if (ident.matches()) {
            String field = ident.group(1);
            return check.field(mark, path, field, SchemaFields.NUMERIC, "a ratio operand") ? RatioFeature.Operand.field(field) : null;
        }
        Matcher call = CALL.matcher(text);
        if (!call.matches()) {
            r.error(mark, path, "'" + text + "' is not an operand; write a field, count(<window>) or "
                    + "sum|mean|std|min|max(<field>, <window>)");
            return null;
        }
        Function fn = function(call.group(1), mark, path);
        if (fn == null) {
            return null;
        }
        String[] args = call.group(2).split(",", -1);
        if (fn == Function.DISTINCT || fn == Function.TIME_SINCE_PREVIOUS) {
            r.error(mark, path, fn.spelling() + " cannot be a ratio operand; allowed: count, sum, mean, std, min, max");
            return null;
        }
        int expected = fn == Function.COUNT ? 1 : 2;
        if (args.length != expected) {
            r.error(mark, path, fn.spelling() + " takes " + (expected == 1 ? "(<window>)" : "(<field>, <window>)")
                    + ", found '" + text + "'");
            return null;
        }
        Duration window = window(new ScalarNode(mark, args[expected - 1].trim(), com.fasterxml.jackson.core.JsonToken.VALUE_STRING), path);
        String field = null;
        if (expected == 2) {
            field = args[0].trim();
            if (!check.field(mark, path, field, SchemaFields.NUMERIC, "'" + fn.spelling() + "'")) {
                return null;
            }
        }
        return window == null ? null : new RatioFeature.Operand(fn, field, window);
    }
}
