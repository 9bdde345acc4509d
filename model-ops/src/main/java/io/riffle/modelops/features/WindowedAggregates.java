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
    /** Longs of a state's slot map, where its entries begin (see {@link EntityFeatureState}). */
    private final int mapWords;
    /** Longs per entry: bucket id, count, then the parts below at their offsets. */
    private final int stride;
    /** Offset in an entry of its sketch words, of its counters and of its keys (its values are at 2). */
    private final int wordsAt;
    private final int countersAt;
    private final int keysAt;
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
        mapWords = EntityFeatureState.mapWords(totalSlots);
        stride = EntityFeatureState.stride(entryValues, entryWords, entryCounters, entryKeys);
        wordsAt = 2 + entryValues;
        countersAt = wordsAt + entryWords;
        keysAt = countersAt + entryCounters;
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
        s.layOut(totalSlots, entryValues, entryWords, entryCounters, entryKeys, INITIAL_ENTRIES);
        return s;
    }

    /** Lays out a fresh {@code new EntityFeatureState()}; throws when {@code state} has another spec's layout. */
    void prepare(EntityFeatureState state) {
        // (a state from the format before count_by has no counters: this layout if it has none)
        boolean same = state.slots == totalSlots && state.entryValues == entryValues && state.entryWords == entryWords
                && state.entryCounters == entryCounters && state.entryKeys == entryKeys;
        // A state with no entries read back from a checkpoint of the earlier layout says 0 of each per
        // entry (it derived them from its room, none): nothing in it depends on them.
        if (state.data == null || !same && state.size == 0 && state.slots == totalSlots) {
            state.layOut(totalSlots, entryValues, entryWords, entryCounters, entryKeys, INITIAL_ENTRIES);
            return;
        }
        if (!same || state.data.length < mapWords + state.size * stride) {
            throw new IllegalStateException("entity state has the layout of another feature spec (" + state.slots
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
        // the event itself, as a one-event bucket of every window (doubles as raw bits, as in a state)
        long[] one = work.one;
        for (int i = 0; i < aggField.length; i++) {
            long x = Double.doubleToRawLongBits(aggValues[i]);
            one[i * STATS] = x;
            one[i * STATS + 1] = 0L;
            one[i * STATS + 2] = x;
            one[i * STATS + 3] = x;
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
        long[] d = s.data;
        int[] distinct = ringDistinct[w];
        long k = Math.floorDiv(t, widthMs[w]);
        int size = ringSize[w];
        // one division for the oldest bucket's slot, then the ring's next slots in turn
        int r = (int) Math.floorMod(k - buckets, (long) size) - 1;
        for (long b = k - buckets; b <= k; b++) {
            r = r + 1 == size ? 0 : r + 1;
            int e = s.entryAt(ringBase[w] + r);
            if (e < 0) {
                continue;
            }
            int x = mapWords + e * stride;
            long n = d[x + 1];
            if (d[x] == b && n > 0) {
                acc.merge(n, d, x + 2);
                int so = x + wordsAt;
                for (int j = 0; j < distinct.length; j++) {
                    DistinctSketch.merge(d, so + j * DistinctSketch.WORDS, acc.sketch, distinct[j] * DistinctSketch.WORDS);
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
        long[] d = s.data;
        int[] inputs = ringCategories[w];
        int size = ringSize[w];
        int r = (int) Math.floorMod(k - buckets, (long) size) - 1;
        for (long b = k - buckets; b <= k; b++) {
            r = r + 1 == size ? 0 : r + 1;
            int e = s.entryAt(ringBase[w] + r);
            if (e < 0) {
                continue;
            }
            int x = mapWords + e * stride;
            if (d[x] != b || d[x + 1] == 0) {
                continue;
            }
            for (int j = 0; j < inputs.length; j++) {
                ColumnPlan.Categories c = categories[inputs[j]];
                int from = x + countersAt + ringCounterOffset[w][j];
                if (c.top()) {
                    int keys = x + keysAt + ringCounterOffset[w][j];
                    for (int i = 0; i < c.width(); i++) {
                        long n = d[from + i];
                        if (n > 0) {
                            acc.categories[c.offset() + topColumn(d[keys + i], c.width())] += n;
                        }
                    }
                } else {
                    for (int i = 0; i < c.width(); i++) {
                        acc.categories[c.offset() + i] += d[from + i];
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

    /** Counts the event in its bucket's counters for each count-by input of ring {@code w} (entry at {@code x} of {@code d}). */
    private void countCategories(long[] d, int w, int x, AggregateScratch work) {
        int[] inputs = ringCategories[w];
        for (int j = 0; j < inputs.length; j++) {
            ColumnPlan.Categories c = categories[inputs[j]];
            int col = work.categoryColumn[inputs[j]];
            if (col < 0) {
                continue;
            }
            int from = x + countersAt + ringCounterOffset[w][j];
            if (!c.top()) {
                d[from + col]++;
                continue;
            }
            long key = work.categoryKey[inputs[j]];
            int keys = x + keysAt + ringCounterOffset[w][j];
            int free = -1;
            boolean counted = false;
            for (int i = 0; i < c.width() && !counted; i++) {
                if (d[from + i] == 0) {
                    free = free < 0 ? i : free;
                } else if (d[keys + i] == key) {
                    d[from + i]++;
                    counted = true;
                }
            }
            if (counted) {
                continue;
            }
            if (free >= 0) {
                d[keys + free] = key;
                d[from + free] = 1;
            } else {
                // Misra-Gries: all N slots hold other values; this event and one of each of theirs cancel out
                for (int i = 0; i < c.width(); i++) {
                    d[from + i]--;
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
        int e = s.entryAt(slot);
        if (e < 0) {
            e = addEntry(s, slot, k);
        }
        long[] d = s.data;
        int x = mapWords + e * stride;
        if (d[x] > k) {
            return false;
        } else if (d[x] < k) {
            // the slot's bucket is a whole ring older than k: no window can reach it any more
            d[x] = k;
            Arrays.fill(d, x + 1, x + keysAt, 0L);
        }
        int[] distinct = ringDistinct[w];
        double[] values = work.aggValues;
        long c = d[x + 1];
        for (int i = 0; i < aggField.length; i++) {
            int a = x + 2 + i * STATS;
            double v = values[i];
            if (c == 0) {
                long bits = Double.doubleToRawLongBits(v);
                d[a] = bits;
                d[a + 1] = 0L;
                d[a + 2] = bits;
                d[a + 3] = bits;
            } else {
                // Welford's update of the bucket's M2
                double sum = Double.longBitsToDouble(d[a]);
                double oldMean = sum / c;
                sum += v;
                double newMean = sum / (c + 1);
                d[a] = Double.doubleToRawLongBits(sum);
                d[a + 1] = Double.doubleToRawLongBits(Double.longBitsToDouble(d[a + 1]) + (v - oldMean) * (v - newMean));
                d[a + 2] = Double.doubleToRawLongBits(Math.min(Double.longBitsToDouble(d[a + 2]), v));
                d[a + 3] = Double.doubleToRawLongBits(Math.max(Double.longBitsToDouble(d[a + 3]), v));
            }
        }
        int so = x + wordsAt;
        for (int j = 0; j < distinct.length; j++) {
            if (work.distinctPresent[distinct[j]]) {
                DistinctSketch.add(d, so + j * DistinctSketch.WORDS, work.distinctHashes[distinct[j]]);
            }
        }
        if (ringCategories[w].length > 0) {
            countCategories(d, w, x, work);
        }
        d[x + 1] = c + 1;
        return true;
    }

    /** A new, empty entry for bucket {@code k} in {@code slot}, the state grown by half when full (never beyond one entry per slot). */
    private int addEntry(EntityFeatureState s, int slot, long k) {
        int e = s.size;
        if (mapWords + (e + 1) * stride > s.data.length) {
            // by half again (not double): a state's spare room is a quarter of its heap less on average
            int room = Math.min(totalSlots, Math.max(INITIAL_ENTRIES, e + (e >> 1)));
            s.data = Arrays.copyOf(s.data, mapWords + room * stride);
        }
        s.size = e + 1;
        s.setEntryAt(slot, e);
        int x = mapWords + e * stride;
        s.data[x] = k;
        Arrays.fill(s.data, x + 1, x + stride, 0L);
        return e;
    }
}
