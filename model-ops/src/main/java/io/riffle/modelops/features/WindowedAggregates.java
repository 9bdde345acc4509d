package io.riffle.modelops.features;

import io.riffle.modelops.spec.MissingRule;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.util.Utf8;

import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static io.riffle.modelops.features.WindowStats.STATS;

/**
 * The per-entity windowed aggregates: one ring of time buckets per state window inside an
 * {@link EntityFeatureState} (layout described there), read for an event ({@link #query}) before
 * it is added ({@link #add}). A window at an event covers the buckets [k − B, k] of the event's
 * bucket k, found with one division per window and then by walking the ring's slots.
 *
 * <p>A count by category ({@code count_by}) keeps, in each bucket of the rings its windows use,
 * one counter per listed value and one for "other"; or, for {@code top: N}, a Misra–Gries summary
 * of N (value hash, counter) slots (Misra &amp; Gries 1982): a value already held is counted, a new
 * one takes a free slot, and when none is free every counter is decremented instead (freeing those
 * that reach 0) and the new value is not kept. So a bucket of n_b events never holds more than N
 * values, each value's count is under-estimated by at most n_b / (N + 1), and is exact while the
 * bucket has seen at most N distinct values; a window of n events, the sum of its buckets,
 * under-estimates each value by at most n / (N + 1). A window's top-N columns are the kept counts
 * added into N columns by value hash (a value's column is its 64-bit hash modulo N): a fixed width a
 * model can read, where each column always gathers the same values, unlike a ranked list whose
 * column i means a different value from one entity to the next.
 *
 * <p>An event more than the allowed lateness behind the entity's newest event is counted
 * ({@link #lateEvents()}); if its bucket has already left a ring it does not enter that window's
 * state ({@link #eventsNotAggregated()}).
 */
final class WindowedAggregates implements Serializable {

    private static final long serialVersionUID = 1L;
    /** Entries a fresh state has room for (it grows, up to one per slot). */
    private static final int INITIAL_ENTRIES = 4;

    private final EventFields fields;
    private final int buckets;
    private final long latenessMs;
    private final long[] widthMs;
    private final int[] ringSize;
    private final int[] ringBase;
    private final int totalSlots;
    private final int[] aggField;
    private final MissingRule[] aggMissing;
    private final int[] distinctField;
    /**
     * Per state window, the distinct-count inputs that window's aggregates read: only that
     * window's ring keeps sketches for them, an entry of ring {@code w} holding
     * {@code ringDistinct[w].length} sketches at the start of its {@link #entryWords} words.
     */
    private final int[][] ringDistinct;
    /** Sketch words per entry: room for the ring with the most distinct-count fields. */
    private final int entryWords;
    /** Aggregate doubles per entry. */
    private final int entryValues;
    private final ColumnPlan.Categories[] categories;
    /** Per state window, the count-by inputs that window's aggregates read (as {@link #ringDistinct}). */
    private final int[][] ringCategories;
    /**
     * Per state window and each of its count-by inputs: where that input's counters start in an
     * entry's {@link #entryCounters} (and, for a top-N, its keys in {@link #entryKeys}, at the same
     * offset: a ring's top-N inputs come first).
     */
    private final int[][] ringCounterOffset;
    /** Category counters per entry: room for the ring that needs the most. */
    private final int entryCounters;
    /** Top-N keys per entry: room for the ring that needs the most. */
    private final int entryKeys;
    /** Columns of all count-by inputs (a window's merged counts). */
    private final int categoryColumns;
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong notAggregated = new AtomicLong();
    /** Per-thread work arrays: a scorer reads every event's windows. */
    private transient volatile ThreadLocal<AggregateScratch> scratch;
    /** The first thread's work arrays, reached without the thread-local (see {@link #scratch()}). */
    private transient volatile Owned owned;

    /**
     * @param windows         the spec's state windows, each with {@code buckets} buckets
     * @param allowedLateness how far behind its entity's newest event an event may be and still be
     *                        aggregated as precisely as an in-order one (sizes the rings)
     */
    WindowedAggregates(List<Duration> windows, int buckets, Duration allowedLateness, ColumnPlan plan) {
        this.fields = plan.fields;
        this.buckets = buckets;
        this.latenessMs = allowedLateness.toMillis();
        int nw = windows.size();
        widthMs = new long[nw];
        ringSize = new int[nw];
        ringBase = new int[nw];
        int base = 0;
        for (int i = 0; i < nw; i++) {
            long windowMs = windows.get(i).toMillis();
            widthMs[i] = Math.max(1, ceilDiv(windowMs, buckets));
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
        aggField = plan.aggField;
        aggMissing = plan.aggMissing;
        distinctField = plan.distinctField;
        ringDistinct = plan.ringDistinct;
        int words = 0;
        for (int[] d : ringDistinct) {
            words = Math.max(words, d.length * DistinctSketch.WORDS);
        }
        entryWords = words;
        entryValues = aggField.length * STATS;
        categories = plan.categories;
        ringCategories = plan.ringCategories;
        ringCounterOffset = new int[nw][];
        int counters = 0;
        int keys = 0;
        for (int w = 0; w < nw; w++) {
            int[] inputs = ringCategories[w];
            ringCounterOffset[w] = new int[inputs.length];
            int at = 0;
            for (int pass = 0; pass < 2; pass++) {
                for (int j = 0; j < inputs.length; j++) {
                    if (categories[inputs[j]].top() == (pass == 0)) {
                        ringCounterOffset[w][j] = at;
                        at += categories[inputs[j]].width();
                    }
                }
                if (pass == 0) {
                    keys = Math.max(keys, at);
                }
            }
            counters = Math.max(counters, at);
        }
        entryCounters = counters;
        entryKeys = keys;
        int columns = 0;
        for (ColumnPlan.Categories c : categories) {
            columns += c.width();
        }
        categoryColumns = columns;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    long lateEvents() {
        return late.get();
    }

    long eventsNotAggregated() {
        return notAggregated.get();
    }

    long bucketWidthMillis(int window) {
        return widthMs[window];
    }

    int slots() {
        return totalSlots;
    }

    EntityFeatureState newState() {
        EntityFeatureState s = new EntityFeatureState();
        s.entries = new int[totalSlots];
        s.bucketIds = new long[INITIAL_ENTRIES];
        s.counts = new int[INITIAL_ENTRIES];
        s.values = new double[INITIAL_ENTRIES * entryValues];
        s.sketches = new long[INITIAL_ENTRIES * entryWords];
        s.categoryCounts = new int[INITIAL_ENTRIES * entryCounters];
        s.categoryKeys = new long[INITIAL_ENTRIES * entryKeys];
        return s;
    }

    /** Allocates a fresh {@code new EntityFeatureState()}; throws when {@code state} has another spec's layout. */
    void prepare(EntityFeatureState state) {
        if (state.entries == null) {
            EntityFeatureState fresh = newState();
            state.entries = fresh.entries;
            state.size = 0;
            state.bucketIds = fresh.bucketIds;
            state.counts = fresh.counts;
            state.values = fresh.values;
            state.sketches = fresh.sketches;
            state.categoryCounts = fresh.categoryCounts;
            state.categoryKeys = fresh.categoryKeys;
            return;
        }
        if (state.categoryCounts == null) {
            // restored from the format before count_by: no counters, which is this layout if it has none
            state.categoryCounts = new int[0];
            state.categoryKeys = new long[0];
        }
        if (state.entries.length != totalSlots || state.values.length != state.bucketIds.length * entryValues
                || state.sketches.length != state.bucketIds.length * entryWords
                || state.categoryCounts.length != state.bucketIds.length * entryCounters
                || state.categoryKeys.length != state.bucketIds.length * entryKeys) {
            throw new IllegalStateException("entity state has the layout of another feature spec (" + state.entries.length
                    + " slots, expected " + totalSlots + ")");
        }
    }

    /**
     * The calling thread's work arrays. The first thread to ask keeps its own in a field (a
     * scorer subtask has its own extractor and one thread: a thread-local lookup per event was
     * 4% of its time); any other thread gets its own from a thread-local.
     */
    AggregateScratch scratch() {
        Owned o = owned;
        Thread current = Thread.currentThread();
        if (o != null && o.thread == current) {
            return o.scratch;
        }
        ThreadLocal<AggregateScratch> local = scratch;
        if (local == null) {
            // a race only makes two thread-locals, each thread still using its own arrays
            local = ThreadLocal.withInitial(() -> new AggregateScratch(aggField.length, distinctField.length, widthMs.length,
                    categories.length, categoryColumns));
            scratch = local;
        }
        AggregateScratch work = local.get();
        if (o == null) {
            owned = new Owned(current, work);
        }
        return work;
    }

    /** A thread and its work arrays (one immutable pair, so a reader never sees one without the other). */
    private record Owned(Thread thread, AggregateScratch scratch) {}

    /** Reads the event's aggregated inputs into {@code work}: throws naming the field before any state is touched. */
    void read(IndexedRecord event, int[] pos, AggregateScratch work) {
        double[] aggValues = work.aggValues;
        for (int i = 0; i < aggField.length; i++) {
            aggValues[i] = fields.number(event, pos, aggField[i], aggMissing[i]);
        }
        for (int i = 0; i < distinctField.length; i++) {
            Object v = event.get(pos[distinctField[i]]);
            work.distinctPresent[i] = v != null;
            work.distinctHashes[i] = v == null ? 0 : TextHashes.hash64(v);
        }
        for (int i = 0; i < categories.length; i++) {
            // never throws: a missing or unlisted value is "other" (listed values) or not counted (top-N)
            ColumnPlan.Categories c = categories[i];
            Object v = event.get(pos[c.field()]);
            if (c.top()) {
                work.categoryKey[i] = v == null ? 0 : TextHashes.hash64(v);
                work.categoryColumn[i] = v == null ? -1 : topColumn(work.categoryKey[i], c.width());
            } else {
                Integer at = v == null ? null : c.index().get(v instanceof Utf8 || v instanceof String ? v : v.toString());
                work.categoryColumn[i] = at == null ? c.width() - 1 : at;
            }
        }
        // the event itself, as a one-event bucket of every window
        double[] one = work.one;
        for (int i = 0; i < aggField.length; i++) {
            one[i * STATS] = aggValues[i];
            one[i * STATS + 1] = 0.0;
            one[i * STATS + 2] = aggValues[i];
            one[i * STATS + 3] = aggValues[i];
        }
    }

    /** Fills {@code work.windows} with every window's statistics at time {@code t}, the event (read) included. */
    void query(EntityFeatureState s, long t, AggregateScratch work) {
        for (int w = 0; w < work.windows.length; w++) {
            query(work.windows[w], s, w, t, work);
        }
    }

    private void query(WindowStats acc, EntityFeatureState s, int w, long t, AggregateScratch work) {
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
                acc.merge(s.counts[e], s.values, e * entryValues);
                int so = e * entryWords;
                for (int j = 0; j < distinct.length; j++) {
                    DistinctSketch.merge(s.sketches, so + j * DistinctSketch.WORDS, acc.sketch, distinct[j] * DistinctSketch.WORDS);
                }
            }
        }
        if (ringCategories[w].length > 0) {
            mergeCategories(acc, s, w, k, work);
        }
        acc.merge(1, work.one, 0);
        for (int i = 0; i < work.distinctHashes.length; i++) {
            if (work.distinctPresent[i]) {
                DistinctSketch.add(acc.sketch, i * DistinctSketch.WORDS, work.distinctHashes[i]);
            }
        }
    }

    /** A top-N value's column: its hash modulo the columns, read as unsigned. */
    static int topColumn(long hash, int columns) {
        return (int) Long.remainderUnsigned(hash, columns);
    }

    /** Adds the count-by counters of ring {@code w}'s buckets [k − B, k] and the event's own categories to {@code acc}. */
    private void mergeCategories(WindowStats acc, EntityFeatureState s, int w, long k, AggregateScratch work) {
        int[] inputs = ringCategories[w];
        int size = ringSize[w];
        int r = (int) Math.floorMod(k - buckets, (long) size) - 1;
        for (long b = k - buckets; b <= k; b++) {
            r = r + 1 == size ? 0 : r + 1;
            int e = s.entries[ringBase[w] + r] - 1;
            if (e < 0 || s.bucketIds[e] != b || s.counts[e] == 0) {
                continue;
            }
            for (int j = 0; j < inputs.length; j++) {
                ColumnPlan.Categories c = categories[inputs[j]];
                int from = e * entryCounters + ringCounterOffset[w][j];
                if (c.top()) {
                    int keys = e * entryKeys + ringCounterOffset[w][j];
                    for (int i = 0; i < c.width(); i++) {
                        int n = s.categoryCounts[from + i];
                        if (n > 0) {
                            acc.categories[c.offset() + topColumn(s.categoryKeys[keys + i], c.width())] += n;
                        }
                    }
                } else {
                    for (int i = 0; i < c.width(); i++) {
                        acc.categories[c.offset() + i] += s.categoryCounts[from + i];
                    }
                }
            }
        }
        for (int j = 0; j < inputs.length; j++) {
            int col = work.categoryColumn[inputs[j]];
            if (col >= 0) {
                acc.categories[categories[inputs[j]].offset() + col] += 1;
            }
        }
    }

    /** Counts the event in its bucket's counters for each count-by input of ring {@code w} (entry {@code e}). */
    private void countCategories(EntityFeatureState s, int w, int e, AggregateScratch work) {
        int[] inputs = ringCategories[w];
        for (int j = 0; j < inputs.length; j++) {
            ColumnPlan.Categories c = categories[inputs[j]];
            int col = work.categoryColumn[inputs[j]];
            if (col < 0) {
                continue;
            }
            int from = e * entryCounters + ringCounterOffset[w][j];
            if (!c.top()) {
                s.categoryCounts[from + col]++;
                continue;
            }
            long key = work.categoryKey[inputs[j]];
            int keys = e * entryKeys + ringCounterOffset[w][j];
            int free = -1;
            boolean counted = false;
            for (int i = 0; i < c.width() && !counted; i++) {
                if (s.categoryCounts[from + i] == 0) {
                    free = free < 0 ? i : free;
                } else if (s.categoryKeys[keys + i] == key) {
                    s.categoryCounts[from + i]++;
                    counted = true;
                }
            }
            if (counted) {
                continue;
            }
            if (free >= 0) {
                s.categoryKeys[keys + free] = key;
                s.categoryCounts[from + free] = 1;
            } else {
                // Misra-Gries: all N slots hold other values; this event and one of each of theirs cancel out
                for (int i = 0; i < c.width(); i++) {
                    s.categoryCounts[from + i]--;
                }
            }
        }
    }

    /** Adds the event (read) at time {@code t} to every ring of {@code s}, counting it when late or not aggregated. */
    void add(EntityFeatureState s, long t, AggregateScratch work) {
        if (s.newestTime != Long.MIN_VALUE && t < s.newestTime - latenessMs) {
            late.incrementAndGet();
        }
        boolean stored = true;
        for (int w = 0; w < widthMs.length; w++) {
            stored &= insert(s, w, t, work);
        }
        if (!stored) {
            notAggregated.incrementAndGet();
        }
        s.newestTime = Math.max(s.newestTime, t);
        s.events++;
    }

    /** Adds the event to its bucket of ring {@code w}; false when that bucket has already been overwritten by a newer one. */
    private boolean insert(EntityFeatureState s, int w, long t, AggregateScratch work) {
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
            Arrays.fill(s.categoryCounts, e * entryCounters, (e + 1) * entryCounters, 0);
        }
        int vo = e * entryValues;
        int so = e * entryWords;
        int[] distinct = ringDistinct[w];
        double[] values = work.aggValues;
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
            if (work.distinctPresent[distinct[j]]) {
                DistinctSketch.add(s.sketches, so + j * DistinctSketch.WORDS, work.distinctHashes[distinct[j]]);
            }
        }
        if (ringCategories[w].length > 0) {
            countCategories(s, w, e, work);
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
            s.categoryCounts = Arrays.copyOf(s.categoryCounts, room * entryCounters);
            s.categoryKeys = Arrays.copyOf(s.categoryKeys, room * entryKeys);
        }
        s.size = e + 1;
        s.entries[slot] = e + 1;
        s.bucketIds[e] = k;
        s.counts[e] = 0;
        Arrays.fill(s.values, e * entryValues, (e + 1) * entryValues, 0.0);
        Arrays.fill(s.sketches, e * entryWords, (e + 1) * entryWords, 0L);
        Arrays.fill(s.categoryCounts, e * entryCounters, (e + 1) * entryCounters, 0);
        return e;
    }
}
