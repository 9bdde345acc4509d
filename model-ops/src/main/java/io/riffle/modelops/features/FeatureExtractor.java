package io.riffle.modelops.features;

import io.riffle.modelops.spec.AggregateFeature;
import io.riffle.modelops.spec.AggregateFeature.Function;
import io.riffle.modelops.spec.EventsSpec;
import io.riffle.modelops.spec.FeatureSpec;
import io.riffle.modelops.spec.FieldFeature;
import io.riffle.modelops.spec.MissingRule;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.RatioFeature;
import io.riffle.modelops.spec.TimeFeature;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.util.Utf8;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Computes a {@link FeatureSpec}'s vector for one event and updates that entity's
 * {@link EntityFeatureState}: the scoring job calls it from its keyed operator, the trainer and
 * tests call it directly, so both see the same numbers. Reads events as {@link IndexedRecord}
 * (generic or generated classes) by field position, resolved once per record schema.
 *
 * <p>Aggregates cover the event itself and the entity's earlier-processed events whose bucket
 * lies in [k − B, k], k the event's bucket: that includes every event of (t − W, t], plus events
 * up to one bucket width (W/B, rounded up to a millisecond) older than t − W, plus, for an
 * out-of-order event, earlier-processed events of its own bucket that are newer than t. Newer
 * buckets are excluded. An event more than the allowed lateness behind the entity's newest event is
 * counted ({@link #lateEvents()}); if its bucket has already left a ring it does not enter that
 * window's state ({@link #eventsNotAggregated()}).
 *
 * <p>Thread-safe: it holds no per-event state (the entity state is the caller's; its work arrays
 * are per thread).
 */
public final class FeatureExtractor implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final long DAY_MS = 86_400_000L;
    private static final long WEEK_MS = 7 * DAY_MS;
    /** 1970-01-01 was a Thursday: Monday 00:00 is 3 days earlier. */
    private static final long MONDAY_OFFSET_MS = 3 * DAY_MS;
    static final int SKETCH_WORDS = FeatureSpec.DISTINCT_SKETCH_BITS / 64;
    private static final int STATS = 4;

    private final FeatureSpec spec;
    private final String idField;
    private final long latenessMs;
    private final int buckets;
    /** Every field the spec reads, in a fixed order; positions are resolved per record schema. */
    private final String[] fieldNames;
    private final int timeIdx;
    private final int keyIdx;
    private final int idIdx;
    private final Column[] columns;
    private final long[] windowMs;
    private final long[] widthMs;
    private final int[] ringSize;
    private final int[] ringBase;
    private final int totalSlots;
    /** Aggregated numeric inputs: field index and the missing rule (a field can appear with two rules). */
    private final int[] aggField;
    private final MissingRule[] aggMissing;
    private final int[] distinctField;
    /**
     * Per state window, the distinct-count inputs (indices into {@link #distinctField}) that
     * window's aggregates read: only that window's ring keeps sketches for them, an entry of ring
     * {@code w} holding {@code ringDistinct[w].length} sketches at the start of its
     * {@link #entryWords} words.
     */
    private final int[][] ringDistinct;
    /** Sketch words per entry: room for the ring with the most distinct-count fields. */
    private final int entryWords;
    /** Aggregate doubles per entry. */
    private final int entryValues;
    /** Entries a fresh state has room for (it grows, up to one per slot). */
    private static final int INITIAL_ENTRIES = 4;
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong notAggregated = new AtomicLong();
    private transient volatile Positions positions;
    /** Per-thread work arrays of {@link #extract}: a scorer extracts for every event. */
    private transient volatile ThreadLocal<Scratch> scratch;

    /** One output column (or group of columns). */
    private record Column(Kind kind, int field, Object feature, int window, int input) implements Serializable {}

    private enum Kind { NUMERIC, BOOL, CATEGORICAL, TIME, AGGREGATE, TIME_SINCE_PREVIOUS, RATIO }

    private record Positions(Schema schema, int[] pos) {}

    /** An extractor for a validated pipeline: its feature spec, event schema, id field and lateness. */
    public static FeatureExtractor of(PipelineSpec pipeline) {
        return new FeatureExtractor(pipeline.features(), pipeline.eventSchema(), pipeline.events().allowedLateness(),
                pipeline.events().idField());
    }

    /**
     * @param schema          the event schema the spec was validated against
     * @param allowedLateness how far behind its entity's newest event an event may be and still be
     *                        aggregated as precisely as an in-order one (sizes the rings)
     * @param idField         field named in error messages to identify the event, or null
     */
    public FeatureExtractor(FeatureSpec spec, Schema schema, Duration allowedLateness, String idField) {
        this.spec = spec;
        this.idField = idField;
        this.latenessMs = allowedLateness.toMillis();
        this.buckets = spec.buckets();
        Map<String, Integer> fields = new LinkedHashMap<>();
        this.timeIdx = index(fields, spec.timeField());
        this.keyIdx = index(fields, spec.entityKey());
        this.idIdx = idField == null ? -1 : index(fields, idField);

        List<Duration> windows = spec.stateWindows();
        int nw = windows.size();
        windowMs = new long[nw];
        widthMs = new long[nw];
        ringSize = new int[nw];
        ringBase = new int[nw];
        int base = 0;
        for (int i = 0; i < nw; i++) {
            windowMs[i] = windows.get(i).toMillis();
            widthMs[i] = Math.max(1, ceilDiv(windowMs[i], buckets));
            long size = buckets + 1L + ceilDiv(latenessMs, widthMs[i]);
            if (size > 100_000) {
                throw new IllegalArgumentException("window " + windows.get(i) + " with " + buckets + " buckets and lateness "
                        + allowedLateness + " needs " + size + " slots per entity; lower the lateness or the buckets");
            }
            ringSize[i] = (int) size;
            ringBase[i] = base;
            base += ringSize[i];
        }
        totalSlots = base;

        List<Integer> aggFields = new ArrayList<>();
        List<MissingRule> aggRules = new ArrayList<>();
        Map<String, Integer> aggInputs = new HashMap<>();
        List<Integer> distinctFields = new ArrayList<>();
        Map<String, Integer> distinctInputs = new HashMap<>();
        List<Column> cols = new ArrayList<>();
        for (FieldFeature f : spec.fields()) {
            Kind k = f instanceof FieldFeature.Numeric ? Kind.NUMERIC : f instanceof FieldFeature.Bool ? Kind.BOOL : Kind.CATEGORICAL;
            Object feature = f;
            if (f instanceof FieldFeature.Categorical c && !c.hashed()) {
                Map<Object, Integer> vocab = new HashMap<>();
                for (int i = 0; i < c.vocabulary().size(); i++) {
                    // as String and as Avro's Utf8 (decoded strings), so either finds its index unconverted
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
            // operands are resolved to [field index or -1, window, aggregated input]
            int[] of = operand(r.of(), fields, windows, aggInputs, aggFields, aggRules);
            int[] to = operand(r.to(), fields, windows, aggInputs, aggFields, aggRules);
            cols.add(new Column(Kind.RATIO, -1, new Ratio(r, of, to), -1, -1));
        }
        this.columns = cols.toArray(Column[]::new);
        this.fieldNames = fields.keySet().toArray(String[]::new);
        this.aggField = aggFields.stream().mapToInt(Integer::intValue).toArray();
        this.aggMissing = aggRules.toArray(MissingRule[]::new);
        this.distinctField = distinctFields.stream().mapToInt(Integer::intValue).toArray();
        this.ringDistinct = new int[nw][];
        int words = 0;
        for (int w = 0; w < nw; w++) {
            int window = w;
            ringDistinct[w] = cols.stream()
                    .filter(c -> c.kind == Kind.AGGREGATE && c.window == window
                            && ((AggregateFeature) c.feature).function() == Function.DISTINCT)
                    .mapToInt(Column::input).distinct().sorted().toArray();
            words = Math.max(words, ringDistinct[w].length * SKETCH_WORDS);
        }
        this.entryWords = words;
        this.entryValues = aggField.length * STATS;
        this.positions = resolve(schema);
    }

    private record OneHot(int size, Map<Object, Integer> index) implements Serializable {}

    private record Ratio(RatioFeature feature, int[] of, int[] to) implements Serializable {}

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

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    public FeatureSpec spec() {
        return spec;
    }

    /** Length of the vectors written. */
    public int count() {
        return spec.count();
    }

    /** Events that arrived more than the allowed lateness behind their entity's newest event. */
    public long lateEvents() {
        return late.get();
    }

    /** Events whose bucket had already left a window's ring, so they are missing from that window's aggregates. */
    public long eventsNotAggregated() {
        return notAggregated.get();
    }

    /** Width of one time bucket of {@code window} (the aggregates' resolution), in milliseconds. */
    public long bucketWidthMillis(Duration window) {
        int i = spec.stateWindows().indexOf(window);
        if (i < 0) {
            throw new IllegalArgumentException("no aggregate reads window " + window);
        }
        return widthMs[i];
    }

    /** A fresh state: every ring's slots, room for a few entries (it grows as slots are used, up to one entry per slot). */
    public EntityFeatureState newState() {
        EntityFeatureState s = new EntityFeatureState();
        s.entries = new int[totalSlots];
        s.bucketIds = new long[INITIAL_ENTRIES];
        s.counts = new int[INITIAL_ENTRIES];
        s.values = new double[INITIAL_ENTRIES * entryValues];
        s.sketches = new long[INITIAL_ENTRIES * entryWords];
        return s;
    }

    /** Slots in all rings: the most entries a state can hold. */
    public int slots() {
        return totalSlots;
    }

    /** The entity key of {@code event} as text (the keyBy of the scoring job). */
    public String entityKey(IndexedRecord event) {
        Object v = event.get(positionsFor(event)[keyIdx]);
        if (v == null) {
            throw new FeatureExtractionException(spec.entityKey(), describe(event) + ": entity key field '"
                    + spec.entityKey() + "' is missing");
        }
        return v.toString();
    }

    /** Event time of {@code event} in epoch milliseconds, read in the spec's time unit. */
    public long eventTime(IndexedRecord event) {
        return eventTime(event, positionsFor(event));
    }

    /** The pipeline's event-id field, or null when it has none. */
    public String idField() {
        return idField;
    }

    /** The value of the pipeline's event-id field (read by position), or null when it is missing or there is none. */
    public Object eventId(IndexedRecord event) {
        return idIdx < 0 ? null : event.get(positionsFor(event)[idIdx]);
    }

    /** A fresh vector of {@code event}'s features; updates {@code state}. */
    public float[] extract(IndexedRecord event, EntityFeatureState state) {
        float[] out = new float[count()];
        extract(event, state, out, 0);
        return out;
    }

    /**
     * Writes {@code event}'s features into {@code out[offset, offset + count())} and adds the event
     * to {@code state} (which must come from {@link #newState()} of an extractor of the same spec, or
     * be a fresh {@code new EntityFeatureState()}, which is then allocated).
     *
     * @throws FeatureExtractionException naming the field and the event when a value is of the wrong
     *                                    type or missing without a missing rule; {@code state} is then unchanged
     */
    public void extract(IndexedRecord event, EntityFeatureState state, float[] out, int offset) {
        extract(event, eventTime(event), state, out, offset);
    }

    /**
     * As {@link #extract(IndexedRecord, EntityFeatureState, float[], int)}, for an event whose time
     * the caller has already read with {@link #eventTime} (the scoring job's source does, so an
     * ISO-8601 time is not parsed twice).
     */
    public void extract(IndexedRecord event, long eventTime, EntityFeatureState state, float[] out, int offset) {
        if (state.entries == null) {
            EntityFeatureState fresh = newState();
            state.entries = fresh.entries;
            state.size = 0;
            state.bucketIds = fresh.bucketIds;
            state.counts = fresh.counts;
            state.values = fresh.values;
            state.sketches = fresh.sketches;
        } else if (state.entries.length != totalSlots || state.values.length != state.bucketIds.length * entryValues
                || state.sketches.length != state.bucketIds.length * entryWords) {
            throw new IllegalStateException("entity state has the layout of another feature spec (" + state.entries.length
                    + " slots, expected " + totalSlots + ")");
        }
        int[] pos = positionsFor(event);
        long t = eventTime;

        // read every input before touching the state, so a bad value leaves it unchanged
        Scratch work = scratch();
        double[] aggValues = work.aggValues;
        for (int i = 0; i < aggField.length; i++) {
            aggValues[i] = number(event, pos, aggField[i], aggMissing[i]);
        }
        long[] distinctHashes = work.distinctHashes;
        boolean[] distinctPresent = work.distinctPresent;
        for (int i = 0; i < distinctField.length; i++) {
            Object v = event.get(pos[distinctField[i]]);
            distinctPresent[i] = v != null;
            distinctHashes[i] = v == null ? 0 : hash64(v);
        }
        // the event itself, as a one-event bucket of every window
        double[] one = work.one;
        for (int i = 0; i < aggField.length; i++) {
            one[i * STATS] = aggValues[i];
            one[i * STATS + 1] = 0.0;
            one[i * STATS + 2] = aggValues[i];
            one[i * STATS + 3] = aggValues[i];
        }
        Window[] windows = work.windows;
        for (int w = 0; w < windows.length; w++) {
            query(windows[w], state, w, t, one, distinctHashes, distinctPresent);
        }

        int o = offset;
        for (Column c : columns) {
            switch (c.kind) {
                case NUMERIC -> o = numeric(event, pos, c, out, o);
                case BOOL -> o = bool(event, pos, c, out, o);
                case CATEGORICAL -> o = categorical(event, pos, c, out, o);
                case TIME -> o = time((TimeFeature) c.feature, t, out, o);
                case AGGREGATE -> {
                    AggregateFeature a = (AggregateFeature) c.feature;
                    out[o++] = (float) transform(aggregate(a.function(), windows[c.window], c.input), a.log1p());
                }
                case TIME_SINCE_PREVIOUS -> {
                    AggregateFeature a = (AggregateFeature) c.feature;
                    double cap = a.cap().toMillis() / 1000.0;
                    double v = state.newestTime == Long.MIN_VALUE ? cap : Math.min(cap, Math.max(0L, t - state.newestTime) / 1000.0);
                    out[o++] = (float) transform(v, a.log1p());
                }
                case RATIO -> {
                    Ratio r = (Ratio) c.feature;
                    double num = operand(event, pos, r.of, windows);
                    double den = operand(event, pos, r.to, windows);
                    out[o++] = (float) (den == 0.0 ? r.feature.whenZero() : num / den);
                }
            }
        }

        if (state.newestTime != Long.MIN_VALUE && t < state.newestTime - latenessMs) {
            late.incrementAndGet();
        }
        boolean stored = true;
        for (int w = 0; w < windows.length; w++) {
            stored &= insert(state, w, t, aggValues, distinctHashes, distinctPresent);
        }
        if (!stored) {
            notAggregated.incrementAndGet();
        }
        state.newestTime = Math.max(state.newestTime, t);
        state.events++;
    }

    /** Merged statistics of one window: count, and per aggregated input sum, M2, min, max; OR-ed sketches. */
    private static final class Window {
        long n;
        final double[] stats;
        final long[] sketch;

        Window(int inputs, int distinct) {
            stats = new double[inputs * STATS];
            sketch = new long[distinct * SKETCH_WORDS];
        }

        void clear() {
            n = 0;
            Arrays.fill(stats, 0.0);
            Arrays.fill(sketch, 0L);
        }
    }

    /** One thread's work arrays for {@link #extract}. */
    private static final class Scratch {
        final double[] aggValues;
        final long[] distinctHashes;
        final boolean[] distinctPresent;
        final double[] one;
        final Window[] windows;

        Scratch(int inputs, int distinct, int windowCount) {
            aggValues = new double[inputs];
            distinctHashes = new long[distinct];
            distinctPresent = new boolean[distinct];
            one = new double[inputs * STATS];
            windows = new Window[windowCount];
            for (int w = 0; w < windowCount; w++) {
                windows[w] = new Window(inputs, distinct);
            }
        }
    }

    private Scratch scratch() {
        ThreadLocal<Scratch> local = scratch;
        if (local == null) {
            // a race only makes two thread-locals, each thread still using its own arrays
            local = ThreadLocal.withInitial(() -> new Scratch(aggField.length, distinctField.length, windowMs.length));
            scratch = local;
        }
        return local.get();
    }

    /** Fills {@code acc} with window {@code w}'s statistics at time {@code t}, the event itself included. */
    private void query(Window acc, EntityFeatureState s, int w, long t, double[] one, long[] hashes, boolean[] present) {
        acc.clear();
        int[] distinct = ringDistinct[w];
        long k = Math.floorDiv(t, widthMs[w]);
        int size = ringSize[w];
        // one division for the oldest bucket's slot, then the ring's next slots in turn
        int r = (int) Math.floorMod(k - buckets, (long) size) - 1;
        for (long b = k - buckets; b <= k; b++) {
            r = r + 1 == size ? 0 : r + 1;
            int e = s.entries[ringBase[w] + r] - 1;
            if (e >= 0 && s.bucketIds[e] == b && s.counts[e] > 0) {
                merge(acc, s.counts[e], s.values, e * entryValues);
                int so = e * entryWords;
                for (int j = 0; j < distinct.length; j++) {
                    int to = distinct[j] * SKETCH_WORDS;
                    int from = so + j * SKETCH_WORDS;
                    for (int i = 0; i < SKETCH_WORDS; i++) {
                        acc.sketch[to + i] |= s.sketches[from + i];
                    }
                }
            }
        }
        merge(acc, 1, one, 0);
        for (int i = 0; i < hashes.length; i++) {
            if (present[i]) {
                setBit(acc.sketch, i * SKETCH_WORDS, hashes[i]);
            }
        }
    }

    /**
     * Chan et al.'s pairwise merge of (count, sum, M2): exact in real arithmetic and far steadier in
     * doubles than sum-of-squares minus squared sum.
     */
    private void merge(Window acc, long nb, double[] src, int off) {
        long na = acc.n;
        long n = na + nb;
        for (int i = 0; i < aggField.length; i++) {
            int a = i * STATS;
            int b = off + i * STATS;
            if (na == 0) {
                acc.stats[a] = src[b];
                acc.stats[a + 1] = src[b + 1];
                acc.stats[a + 2] = src[b + 2];
                acc.stats[a + 3] = src[b + 3];
            } else {
                double delta = src[b] / nb - acc.stats[a] / na;
                acc.stats[a + 1] += src[b + 1] + delta * delta * ((double) na * nb / n);
                acc.stats[a] += src[b];
                acc.stats[a + 2] = Math.min(acc.stats[a + 2], src[b + 2]);
                acc.stats[a + 3] = Math.max(acc.stats[a + 3], src[b + 3]);
            }
        }
        acc.n = n;
    }

    /** Adds the event to its bucket of ring {@code w}; false when that bucket has already been overwritten by a newer one. */
    private boolean insert(EntityFeatureState s, int w, long t, double[] values, long[] hashes, boolean[] present) {
        long k = Math.floorDiv(t, widthMs[w]);
        int slot = ringBase[w] + (int) Math.floorMod(k, (long) ringSize[w]);
        int e = s.entries[slot] - 1;
        if (e < 0) {
            e = addEntry(s, slot, k);
        } else if (s.bucketIds[e] > k) {
            return false;
        } else if (s.bucketIds[e] < k) {
            // the slot's bucket is a whole ring older than k: no window can reach it any more
            s.bucketIds[e] = k;
            s.counts[e] = 0;
            Arrays.fill(s.values, e * entryValues, (e + 1) * entryValues, 0.0);
            Arrays.fill(s.sketches, e * entryWords, (e + 1) * entryWords, 0L);
        }
        int vo = e * entryValues;
        int so = e * entryWords;
        int[] distinct = ringDistinct[w];
        int c = s.counts[e];
        for (int i = 0; i < aggField.length; i++) {
            int a = vo + i * STATS;
            double x = values[i];
            if (c == 0) {
                s.values[a] = x;
                s.values[a + 1] = 0.0;
                s.values[a + 2] = x;
                s.values[a + 3] = x;
            } else {
                // Welford's update of the bucket's M2
                double oldMean = s.values[a] / c;
                s.values[a] += x;
                double newMean = s.values[a] / (c + 1);
                s.values[a + 1] += (x - oldMean) * (x - newMean);
                s.values[a + 2] = Math.min(s.values[a + 2], x);
                s.values[a + 3] = Math.max(s.values[a + 3], x);
            }
        }
        for (int j = 0; j < distinct.length; j++) {
            if (present[distinct[j]]) {
                setBit(s.sketches, so + j * SKETCH_WORDS, hashes[distinct[j]]);
            }
        }
        s.counts[e] = c + 1;
        return true;
    }

    /** A new, empty entry for bucket {@code k} in {@code slot}, the arrays grown when full (never beyond one entry per slot). */
    private int addEntry(EntityFeatureState s, int slot, long k) {
        int e = s.size;
        if (e == s.bucketIds.length) {
            int room = Math.min(totalSlots, Math.max(INITIAL_ENTRIES, 2 * e));
            s.bucketIds = Arrays.copyOf(s.bucketIds, room);
            s.counts = Arrays.copyOf(s.counts, room);
            s.values = Arrays.copyOf(s.values, room * entryValues);
            s.sketches = Arrays.copyOf(s.sketches, room * entryWords);
        }
        s.size = e + 1;
        s.entries[slot] = e + 1;
        s.bucketIds[e] = k;
        s.counts[e] = 0;
        Arrays.fill(s.values, e * entryValues, (e + 1) * entryValues, 0.0);
        Arrays.fill(s.sketches, e * entryWords, (e + 1) * entryWords, 0L);
        return e;
    }

    private static double aggregate(Function f, Window w, int input) {
        int i = input * STATS;
        return switch (f) {
            case COUNT -> w.n;
            case SUM -> w.stats[i];
            case MEAN -> w.stats[i] / w.n;
            case STD -> Math.sqrt(Math.max(0.0, w.stats[i + 1] / w.n));
            case MIN -> w.stats[i + 2];
            case MAX -> w.stats[i + 3];
            case DISTINCT -> distinctEstimate(w.sketch, input * SKETCH_WORDS);
            case TIME_SINCE_PREVIOUS -> throw new IllegalStateException("not a windowed aggregate");
        };
    }

    private double operand(IndexedRecord event, int[] pos, int[] op, Window[] windows) {
        if (op[0] >= 0) {
            return number(event, pos, op[0], MissingRule.ERROR);
        }
        return aggregate(Function.values()[op[3]], windows[op[1]], op[2]);
    }

    // -- sketches ---------------------------------------------------------------------------

    /** FNV-1a 64 of the UTF-8 text, finished with SplitMix64's mixer so that the low bits are uniform. */
    static long hash64(Object text) {
        byte[] bytes = utf8(text);
        int length = text instanceof Utf8 u ? u.getByteLength() : bytes.length;
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < length; i++) {
            h ^= bytes[i] & 0xff;
            h *= 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    private static void setBit(long[] words, int off, long hash) {
        int bit = (int) (hash & (FeatureSpec.DISTINCT_SKETCH_BITS - 1));
        words[off + (bit >>> 6)] |= 1L << (bit & 63);
    }

    /**
     * Linear counting (Whang et al. 1990): with m bits of which z are still zero, n ≈ m·ln(m/z).
     * With m = 256 its standard error is about 5% up to ~250 distinct values and grows beyond; a
     * full sketch (≳ 1,400 values) saturates at m·ln(m) ≈ 1,420.
     */
    static double distinctEstimate(long[] words, int off) {
        int m = FeatureSpec.DISTINCT_SKETCH_BITS;
        int ones = 0;
        for (int i = 0; i < SKETCH_WORDS; i++) {
            ones += Long.bitCount(words[off + i]);
        }
        int zeros = m - ones;
        return zeros == 0 ? m * Math.log(m) : m * Math.log((double) m / zeros);
    }

    // -- field features ---------------------------------------------------------------------

    private int numeric(IndexedRecord event, int[] pos, Column c, float[] out, int o) {
        FieldFeature.Numeric f = (FieldFeature.Numeric) c.feature;
        Object v = event.get(pos[c.field]);
        boolean missing = v == null;
        double x = missing ? missingValue(event, f.field(), f.missing()) : toDouble(event, f.field(), v);
        x = Math.min(f.clipHigh(), Math.max(f.clipLow(), x));
        out[o++] = (float) transform(x, f.log1p());
        if (f.missing().kind() == MissingRule.Kind.FLAG) {
            out[o++] = missing ? 1f : 0f;
        }
        return o;
    }

    private int bool(IndexedRecord event, int[] pos, Column c, float[] out, int o) {
        FieldFeature.Bool f = (FieldFeature.Bool) c.feature;
        Object v = event.get(pos[c.field]);
        double x;
        if (v == null) {
            x = missingValue(event, f.field(), f.missing());
        } else if (v instanceof Boolean b) {
            x = b ? 1.0 : 0.0;
        } else {
            throw wrongType(event, f.field(), v, "a boolean");
        }
        out[o++] = (float) x;
        if (f.missing().kind() == MissingRule.Kind.FLAG) {
            out[o++] = v == null ? 1f : 0f;
        }
        return o;
    }

    private static int categorical(IndexedRecord event, int[] pos, Column c, float[] out, int o) {
        Object v = event.get(pos[c.field]);
        if (c.feature instanceof OneHot oh) {
            Arrays.fill(out, o, o + oh.size() + 1, 0f);
            if (v != null) {
                Integer i = oh.index().get(v instanceof Utf8 || v instanceof String ? v : v.toString());
                out[o + (i == null ? oh.size() : i)] = 1f;
            }
            return o + oh.size() + 1;
        }
        int n = ((FieldFeature.Categorical) c.feature).hashBuckets();
        Arrays.fill(out, o, o + n, 0f);
        if (v != null) {
            out[o + bucket(v, n)] = 1f;
        }
        return o + n;
    }

    private static int time(TimeFeature f, long t, float[] out, int o) {
        double angle = f == TimeFeature.HOUR_OF_DAY
                ? 2 * Math.PI * Math.floorMod(t, DAY_MS) / DAY_MS
                : 2 * Math.PI * Math.floorMod(t + MONDAY_OFFSET_MS, WEEK_MS) / WEEK_MS;
        out[o] = (float) Math.sin(angle);
        out[o + 1] = (float) Math.cos(angle);
        return o + 2;
    }

    /** Signed log1p: keeps the order of negative values. */
    private static double transform(double x, boolean log1p) {
        return log1p ? Math.copySign(Math.log1p(Math.abs(x)), x) : x;
    }

    private double number(IndexedRecord event, int[] pos, int field, MissingRule rule) {
        Object v = event.get(pos[field]);
        return v == null ? missingValue(event, fieldNames[field], rule) : toDouble(event, fieldNames[field], v);
    }

    private double missingValue(IndexedRecord event, String field, MissingRule rule) {
        if (rule.kind() == MissingRule.Kind.ERROR) {
            throw new FeatureExtractionException(field, describe(event) + ": field '" + field
                    + "' is missing and its feature has no missing rule (add 'missing: value <x>' or 'missing: flag')");
        }
        return rule.substitute();
    }

    private double toDouble(IndexedRecord event, String field, Object v) {
        if (v instanceof Number n) {
            double d = n.doubleValue();
            // A feature is a float, and an aggregate sums squares in doubles: an infinite or
            // float-overflowing value would make the entity's mean and std NaN for a whole window.
            if (!(Math.abs(d) <= Float.MAX_VALUE)) {
                throw new FeatureExtractionException(field, describe(event) + ": field '" + field + "' is " + d
                        + (Double.isFinite(d) ? ", which does not fit a float" : ", not a finite number"));
            }
            return d;
        }
        throw wrongType(event, field, v, "a number");
    }

    private FeatureExtractionException wrongType(IndexedRecord event, String field, Object v, String expected) {
        String shown = String.valueOf(v);
        if (shown.length() > 40) {
            shown = shown.substring(0, 40) + "...";
        }
        return new FeatureExtractionException(field, describe(event) + ": field '" + field + "' should be " + expected
                + " but is " + v.getClass().getSimpleName() + " '" + shown + "'");
    }

    /** Epoch seconds beyond which milliseconds overflow a long (the year 292 million). */
    private static final long MAX_EPOCH_SECONDS = Long.MAX_VALUE / 1000;

    private long eventTime(IndexedRecord event, int[] pos) {
        String field = spec.timeField();
        Object v = event.get(pos[timeIdx]);
        if (v == null) {
            throw new FeatureExtractionException(field, describe(event) + ": event-time field '" + field + "' is missing");
        }
        EventsSpec.TimeUnit unit = spec.timeUnit();
        if (unit == EventsSpec.TimeUnit.ISO_8601) {
            String s = v.toString();
            try {
                return Instant.parse(s).toEpochMilli();
            } catch (DateTimeParseException e) {
                try {
                    return OffsetDateTime.parse(s).toInstant().toEpochMilli();
                } catch (DateTimeParseException e2) {
                    throw new FeatureExtractionException(field, describe(event) + ": event-time field '" + field + "' is '"
                            + s + "', not an ISO-8601 instant such as 2026-11-22T10:15:30Z");
                }
            }
        }
        if (!(v instanceof Number n)) {
            throw wrongType(event, field, v, "a number of " + (unit == EventsSpec.TimeUnit.EPOCH_MILLIS ? "milliseconds" : "seconds"));
        }
        if (unit == EventsSpec.TimeUnit.EPOCH_MILLIS) {
            return n.longValue();
        }
        if (v instanceof Double || v instanceof Float) {
            double seconds = n.doubleValue();
            if (!Double.isFinite(seconds) || Math.abs(seconds) > MAX_EPOCH_SECONDS) {
                throw new FeatureExtractionException(field, describe(event) + ": event-time field '" + field + "' is "
                        + seconds + ", not a time in epoch seconds");
            }
            return Math.round(seconds * 1000.0);
        }
        long seconds = n.longValue();
        if (Math.abs(seconds) > MAX_EPOCH_SECONDS) {
            throw new FeatureExtractionException(field, describe(event) + ": event-time field '" + field + "' is "
                    + seconds + ", not a time in epoch seconds");
        }
        return seconds * 1000L;
    }

    /** "event eventId=e42" (or the entity and time when there is no id) for error messages. */
    private String describe(IndexedRecord event) {
        try {
            int[] pos = positionsFor(event);
            if (idIdx >= 0 && event.get(pos[idIdx]) != null) {
                return "event " + idField + "=" + event.get(pos[idIdx]);
            }
            return "event of " + spec.entityKey() + "=" + event.get(pos[keyIdx]) + " at " + spec.timeField() + "="
                    + event.get(pos[timeIdx]);
        } catch (RuntimeException e) {
            return "event " + event.getSchema().getName();
        }
    }

    // -- field positions --------------------------------------------------------------------

    private int[] positionsFor(IndexedRecord event) {
        Schema schema = event.getSchema();
        Positions p = positions;
        if (p != null && (p.schema == schema || p.schema.equals(schema))) {
            return p.pos;
        }
        // a record of another schema version (e.g. a generated class beside a parsed schema)
        p = resolve(schema);
        positions = p;
        return p.pos;
    }

    private Positions resolve(Schema schema) {
        int[] pos = new int[fieldNames.length];
        for (int i = 0; i < fieldNames.length; i++) {
            Schema.Field f = schema.getField(fieldNames[i]);
            if (f == null) {
                throw new FeatureExtractionException(fieldNames[i], "records of schema " + schema.getFullName()
                        + " have no field '" + fieldNames[i] + "' that the feature spec reads");
            }
            pos[i] = f.pos();
        }
        return new Positions(schema, pos);
    }

    /** FNV-1a (32-bit) of the UTF-8 bytes, reduced to {@code [0, buckets)}: stable across JVMs and runs. */
    static int bucket(Object value, int buckets) {
        int h = 0x811c9dc5;
        byte[] bytes = value == null ? new byte[0] : utf8(value);
        int length = value instanceof Utf8 u ? u.getByteLength() : bytes.length;
        for (int i = 0; i < length; i++) {
            h ^= bytes[i] & 0xff;
            h *= 0x01000193;
        }
        return Math.floorMod(h, buckets);
    }

    /** The UTF-8 bytes of a text value: a decoded Avro string's own (valid up to its byte length), or encoded. */
    private static byte[] utf8(Object text) {
        return text instanceof Utf8 u ? u.getBytes() : text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
