package io.riffle.modelops.features;

import io.riffle.modelops.spec.MissingRule;
import org.apache.avro.generic.IndexedRecord;

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
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong notAggregated = new AtomicLong();
    /** Per-thread work arrays: a scorer reads every event's windows. */
    private transient volatile ThreadLocal<AggregateScratch> scratch;

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
        } else if (state.entries.length != totalSlots || state.values.length != state.bucketIds.length * entryValues
                || state.sketches.length != state.bucketIds.length * entryWords) {
            throw new IllegalStateException("entity state has the layout of another feature spec (" + state.entries.length
                    + " slots, expected " + totalSlots + ")");
        }
    }

    AggregateScratch scratch() {
        ThreadLocal<AggregateScratch> local = scratch;
        if (local == null) {
            // a race only makes two thread-locals, each thread still using its own arrays
            local = ThreadLocal.withInitial(() -> new AggregateScratch(aggField.length, distinctField.length, widthMs.length));
            scratch = local;
        }
        return local.get();
    }

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
        acc.merge(1, work.one, 0);
        for (int i = 0; i < work.distinctHashes.length; i++) {
            if (work.distinctPresent[i]) {
                DistinctSketch.add(acc.sketch, i * DistinctSketch.WORDS, work.distinctHashes[i]);
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
}
