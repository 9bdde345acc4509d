package io.riffle.modelops.features;

import io.riffle.modelops.spec.AggregateFeature;
import io.riffle.modelops.spec.AggregateFeature.Function;
import io.riffle.modelops.spec.FeatureSpec;
import io.riffle.modelops.spec.FieldFeature;
import io.riffle.modelops.spec.MissingRule;
import io.riffle.modelops.spec.RatioFeature;
import io.riffle.modelops.spec.TimeFeature;
import org.apache.avro.Schema;
import org.apache.avro.util.Utf8;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which columns a {@link FeatureSpec}'s vector has, in its order, resolved once into indices so
 * that extracting an event looks nothing up by name: the fields read (an index each, positions
 * resolved per record schema by {@link EventFields}), the aggregated numeric inputs (a field can
 * appear with two missing rules), the distinct-count inputs, and which of those each state
 * window's ring keeps sketches for. A one-hot vocabulary is a map built here, holding each word as
 * a String and as Avro's Utf8 so that either finds its index unconverted.
 */
final class ColumnPlan implements Serializable {

    private static final long serialVersionUID = 1L;

    /** One output column (or group of columns): {@code field} for field features, {@code window} and {@code input} for aggregates. */
    record Column(Kind kind, int field, Object feature, int window, int input) implements Serializable {}

    enum Kind { NUMERIC, BOOL, CATEGORICAL, TIME, AGGREGATE, TIME_SINCE_PREVIOUS, COUNT_BY, SESSION, RATIO }

    /**
     * A field counted by category ({@code count_by}): {@code width} columns per window, starting at
     * {@code offset} of a window's merged category counts. With listed values, {@code index} maps a
     * value (as String and as Utf8) to its column, every other value (a missing one too) counting in
     * the last column, "other"; with {@code top} set, {@code index} is null and a value's column is
     * its hash modulo {@code width}.
     */
    record Categories(int field, Map<Object, Integer> index, int width, boolean top, int offset) implements Serializable {}

    /** A categorical feature with a vocabulary: {@code size} words and an "other" column. */
    record OneHot(int size, Map<Object, Integer> index) implements Serializable {}

    /**
     * A ratio's operands, each {field index or -1, state window, aggregated input, function ordinal}:
     * a field when the first is set, else a windowed aggregate.
     */
    record Ratio(RatioFeature feature, int[] of, int[] to) implements Serializable {}

    final EventFields fields;
    final Column[] columns;
    /** Per aggregated numeric input: its field and missing rule. */
    final int[] aggField;
    final MissingRule[] aggMissing;
    /** Per distinct-count input: its field. */
    final int[] distinctField;
    /** Per state window: the distinct-count inputs its aggregates read, ascending. */
    final int[][] ringDistinct;
    /** Per count-by input (a field with its values or top-N; two count_by of one field and form share one). */
    final Categories[] categories;
    /** Per state window: the count-by inputs its aggregates read, ascending. */
    final int[][] ringCategories;

    ColumnPlan(FeatureSpec spec, Schema schema, String idField) {
        Map<String, Integer> fields = new LinkedHashMap<>();
        int timeIdx = index(fields, spec.timeField());
        index(fields, spec.entityKey());
        if (idField != null) {
            index(fields, idField);
        }
        List<Duration> windows = spec.stateWindows();
        List<Integer> aggFields = new ArrayList<>();
        List<MissingRule> aggRules = new ArrayList<>();
        Map<String, Integer> aggInputs = new HashMap<>();
        List<Integer> distinctFields = new ArrayList<>();
        Map<String, Integer> distinctInputs = new HashMap<>();
        List<Categories> categoryInputs = new ArrayList<>();
        Map<String, Integer> categoryKeys = new HashMap<>();
        int categoryWidth = 0;
        List<Column> cols = new ArrayList<>();
        for (FieldFeature f : spec.fields()) {
            Kind k = f instanceof FieldFeature.Numeric ? Kind.NUMERIC : f instanceof FieldFeature.Bool ? Kind.BOOL : Kind.CATEGORICAL;
            Object feature = f;
            if (f instanceof FieldFeature.Categorical c && !c.hashed()) {
                Map<Object, Integer> vocab = new HashMap<>();
                for (int i = 0; i < c.vocabulary().size(); i++) {
                    vocab.put(c.vocabulary().get(i), i);
                    vocab.put(new Utf8(c.vocabulary().get(i)), i);
                }
                feature = new OneHot(c.vocabulary().size(), vocab);
            }
            cols.add(new Column(k, index(fields, f.field()), feature, -1, -1));
        }
        for (TimeFeature t : spec.timeFeatures()) {
            cols.add(new Column(Kind.TIME, timeIdx, t, -1, -1));
        }
        for (AggregateFeature a : spec.aggregates()) {
            if (a.function() == Function.TIME_SINCE_PREVIOUS) {
                cols.add(new Column(Kind.TIME_SINCE_PREVIOUS, -1, a, -1, -1));
                continue;
            }
            if (a.function().session()) {
                cols.add(new Column(Kind.SESSION, -1, a, -1, -1));
                continue;
            }
            if (a.function() == Function.COUNT_BY) {
                String key = a.field() + "|" + a.top() + "|" + a.values();
                Integer known = categoryKeys.get(key);
                if (known == null) {
                    categoryInputs.add(categories(a, index(fields, a.field()), categoryWidth));
                    categoryWidth += a.width();
                    known = categoryInputs.size() - 1;
                    categoryKeys.put(key, known);
                }
                for (Duration w : a.windows()) {
                    cols.add(new Column(Kind.COUNT_BY, -1, a, windows.indexOf(w), known));
                }
                continue;
            }
            int input = -1;
            if (a.function() == Function.DISTINCT) {
                input = distinctInputs.computeIfAbsent(a.field(), fld -> {
                    distinctFields.add(index(fields, fld));
                    return distinctFields.size() - 1;
                });
            } else if (a.function() != Function.COUNT) {
                input = aggInput(a.field(), a.missing(), fields, aggInputs, aggFields, aggRules);
            }
            for (Duration w : a.windows()) {
                cols.add(new Column(Kind.AGGREGATE, -1, a, windows.indexOf(w), input));
            }
        }
        for (RatioFeature r : spec.ratios()) {
            int[] of = operand(r.of(), fields, windows, aggInputs, aggFields, aggRules);
            int[] to = operand(r.to(), fields, windows, aggInputs, aggFields, aggRules);
            cols.add(new Column(Kind.RATIO, -1, new Ratio(r, of, to), -1, -1));
        }
        this.columns = cols.toArray(Column[]::new);
        this.fields = new EventFields(spec, idField, fields.keySet().toArray(String[]::new), schema);
        this.aggField = aggFields.stream().mapToInt(Integer::intValue).toArray();
        this.aggMissing = aggRules.toArray(MissingRule[]::new);
        this.distinctField = distinctFields.stream().mapToInt(Integer::intValue).toArray();
        this.ringDistinct = new int[windows.size()][];
        for (int w = 0; w < windows.size(); w++) {
            int window = w;
            ringDistinct[w] = cols.stream()
                    .filter(c -> c.kind == Kind.AGGREGATE && c.window == window
                            && ((AggregateFeature) c.feature).function() == Function.DISTINCT)
                    .mapToInt(Column::input).distinct().sorted().toArray();
        }
        this.categories = categoryInputs.toArray(Categories[]::new);
        this.ringCategories = new int[windows.size()][];
        for (int w = 0; w < windows.size(); w++) {
            int window = w;
            ringCategories[w] = cols.stream().filter(c -> c.kind == Kind.COUNT_BY && c.window == window)
                    .mapToInt(Column::input).distinct().sorted().toArray();
        }
    }

    private static Categories categories(AggregateFeature a, int field, int offset) {
        if (a.hashedTop()) {
            return new Categories(field, null, a.width(), true, offset);
        }
        Map<Object, Integer> index = new HashMap<>();
        for (int i = 0; i < a.values().size(); i++) {
            index.put(a.values().get(i), i);
            index.put(new Utf8(a.values().get(i)), i);
        }
        return new Categories(field, index, a.width(), false, offset);
    }

    private static int index(Map<String, Integer> fields, String name) {
        return fields.computeIfAbsent(name, n -> fields.size());
    }

    private static int aggInput(String field, MissingRule rule, Map<String, Integer> fields, Map<String, Integer> inputs,
                                List<Integer> aggFields, List<MissingRule> rules) {
        return inputs.computeIfAbsent(field + "|" + rule, key -> {
            aggFields.add(index(fields, field));
            rules.add(rule);
            return aggFields.size() - 1;
        });
    }

    private static int[] operand(RatioFeature.Operand o, Map<String, Integer> fields, List<Duration> windows,
                                 Map<String, Integer> inputs, List<Integer> aggFields, List<MissingRule> rules) {
        if (o.isField()) {
            return new int[] {index(fields, o.field()), -1, -1, -1};
        }
        int input = o.function() == Function.COUNT ? -1 : aggInput(o.field(), MissingRule.ERROR, fields, inputs, aggFields, rules);
        return new int[] {-1, windows.indexOf(o.window()), input, o.function().ordinal()};
    }
}
