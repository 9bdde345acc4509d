package io.riffle.modelops.spec;

import io.riffle.modelops.spec.AggregateFeature.Function;
import io.riffle.modelops.spec.PipelineSpecReader.FieldCheck;
import io.riffle.modelops.spec.SpecReader.Section;
import io.riffle.modelops.spec.YamlTree.Entry;
import io.riffle.modelops.spec.YamlTree.MapNode;
import io.riffle.modelops.spec.YamlTree.Mark;
import io.riffle.modelops.spec.YamlTree.Node;
import io.riffle.modelops.spec.YamlTree.ScalarNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the windowed part of the {@code features:} section for {@link FeatureSpecReader}: the
 * {@code aggregates:} windows and functions ({@code - count}, {@code - sum: amount},
 * {@code {distinct: country, windows: [1h]}}, {@code time_since_previous} with its cap,
 * {@code {count_by: category, values: [a, b]}} or {@code {count_by: category, top: 20}},
 * {@code session_events} and {@code session_duration} with the shared session gap) and the
 * {@code ratios:} whose operands are a field or an aggregate written as a call, e.g.
 * {@code mean(amount, 24h)}. Errors go to the reader with the line and path of the value at fault.
 */
final class AggregateSpecReader {

    static final Map<String, Function> FUNCTIONS = spellings();
    static final List<String> AGGREGATE_OPTIONS = List.of("windows", "log1p", "missing", "cap", "values", "top", "share");
    /** The most columns a count_by may give per window (values + other, or top). */
    static final int MAX_CATEGORIES = 1024;
    private static final Pattern CALL = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\(([^()]*)\\)\\s*");
    private static final Pattern IDENT = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*");

    private final SpecReader r;
    private final FieldCheck check;

    AggregateSpecReader(SpecReader r, FieldCheck check) {
        this.r = r;
        this.check = check;
    }

    private static Map<String, Function> spellings() {
        Map<String, Function> m = new LinkedHashMap<>();
        for (Function f : Function.values()) {
            m.put(f.spelling(), f);
        }
        return m;
    }

    /** Windows ascending, duplicates refused: order in the file carries no meaning. */
    List<Duration> windows(List<Node> items, String path) {
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

    /** Whether {@code fn} reads a field ({@code - sum: amount}) rather than standing alone ({@code - count}). */
    private static boolean takesField(Function fn) {
        return fn != Function.COUNT && fn != Function.TIME_SINCE_PREVIOUS && !fn.session();
    }

    /**
     * @param sessionGap the gap of the session features ({@code aggregates.session-gap}): one for
     *                   all, since an entity's state keeps one current session
     */
    List<AggregateFeature> aggregates(Section agg, List<Duration> defaults, Duration sessionGap) {
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
                if (takesField(fn)) {
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
                if (fn.windowed()) {
                    allowed.add("windows");
                }
                if (fn == Function.COUNT_BY) {
                    allowed.addAll(List.of("values", "top", "share"));
                }
                if (fn.numeric()) {
                    allowed.add("missing");
                }
                if (fn == Function.TIME_SINCE_PREVIOUS) {
                    allowed.add("cap");
                }
                item.allow(allowed.toArray(String[]::new));
                field = item.text(e.key(), null);
                boolean needsField = takesField(fn);
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
                    check.field(item, e.key(), field, fn.numeric() ? SchemaFields.NUMERIC
                            : fn == Function.COUNT_BY ? SchemaFields.CATEGORICAL : SchemaFields.ANY_SCALAR, "'" + fn.spelling() + "'");
                }
            }
            List<Duration> windows = List.of();
            Duration cap = null;
            if (fn == Function.TIME_SINCE_PREVIOUS) {
                cap = item.duration("cap", defaultCap);
            } else if (!fn.windowed()) {
                windows = List.of();
            } else if (item.has("windows")) {
                windows = windows(item.list("windows"), item.pathOf("windows"));
            } else {
                windows = defaults;
            }
            if (fn.windowed() && windows.isEmpty()) {
                r.error(item.mark, path, "no windows for " + fn.spelling() + ": set features.aggregates.windows "
                        + "or 'windows: [...]' on this entry");
                continue;
            }
            MissingRule missing = fn.numeric() ? FeatureSpecReader.missing(r, item, false) : MissingRule.ERROR;
            boolean log1p = item.bool("log1p", false);
            if (fn == Function.COUNT_BY) {
                AggregateFeature countBy = countBy(item, path, field, windows, log1p);
                if (countBy != null) {
                    out.add(countBy);
                }
                continue;
            }
            out.add(new AggregateFeature(fn, field, windows, log1p, missing, cap, List.of(), 0, false,
                    fn.session() ? sessionGap : null));
        }
        return out;
    }

    /**
     * {@code {count_by: f, values: [a, b], windows: [...]}} or {@code {count_by: f, top: N, ...}}:
     * exactly one of the two; {@code share: true} writes shares of the window's events.
     */
    private AggregateFeature countBy(Section item, String path, String field, List<Duration> windows, boolean log1p) {
        boolean hasValues = item.has("values");
        boolean hasTop = item.has("top");
        if (hasValues == hasTop) {
            r.error(item.mark, path, "count_by needs exactly one of 'values: [a, b, ...]' (known categories, plus an "
                    + "'other' column) or 'top: <N>' (the N most frequent, hashed into N columns)" + (hasTop ? ", found both" : ""));
            return null;
        }
        boolean share = item.bool("share", false);
        if (hasTop) {
            int top = item.integer("top", 0, 1, MAX_CATEGORIES);
            return top == 0 ? null : new AggregateFeature(Function.COUNT_BY, field, windows, log1p, MissingRule.ERROR, null,
                    List.of(), top, share, null);
        }
        List<Node> items = item.list("values");
        String valuesPath = item.pathOf("values");
        if (items.isEmpty()) {
            r.error(item.valueMark("values"), valuesPath, "values needs at least one value");
            return null;
        }
        if (items.size() >= MAX_CATEGORIES) {
            r.error(item.valueMark("values"), valuesPath, items.size() + " values give more than " + MAX_CATEGORIES
                    + " columns per window; use 'top: <N>' for a field of many values");
            return null;
        }
        List<String> values = new ArrayList<>();
        java.util.Set<String> columns = new java.util.HashSet<>(List.of("other"));
        boolean ok = true;
        for (int i = 0; i < items.size(); i++) {
            Node v = items.get(i);
            String p = SpecReader.index(valuesPath, i);
            if (!(v instanceof ScalarNode sc) || sc.isNull()) {
                r.error(v.mark(), p, "expected a value, found " + v.describe());
                ok = false;
            } else if (!columns.add(FeatureSpec.columnSafe(sc.text()))) {
                r.error(v.mark(), p, "'" + sc.text() + "' gives the column " + field + "_count_" + FeatureSpec.columnSafe(sc.text())
                        + " twice (values are listed once; 'other' is reserved)");
                ok = false;
            } else {
                values.add(sc.text());
            }
        }
        return ok ? new AggregateFeature(Function.COUNT_BY, field, windows, log1p, MissingRule.ERROR, null, values, 0, share, null)
                : null;
    }

    private Function function(String name, Mark mark, String path) {
        Function f = FUNCTIONS.get(name);
        if (f == null) {
            r.error(mark, path, "unknown feature function '" + name + "'" + Suggestions.didYouMean(name, FUNCTIONS.keySet())
                    + "; allowed: " + String.join(", ", FUNCTIONS.keySet()));
        }
        return f;
    }

    List<RatioFeature> ratios(Section s) {
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
        if (fn == Function.DISTINCT || !fn.windowed() || fn == Function.COUNT_BY) {
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
