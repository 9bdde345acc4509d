package io.riffle.trainer.drift;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * ADWIN, ADaptive WINdowing: a change detector on a stream of real values in [0, 1] (here a
 * model's per-example error), after A. Bifet and R. Gavaldà, "Learning from Time-Changing Data
 * with Adaptive Windowing", SIAM International Conference on Data Mining (SDM) 2007 (the ADWIN2
 * variant of its section 4).
 *
 * <p>It keeps a window W of the most recent values, as long as no two adjacent sub-windows
 * W0 (older) · W1 (newer) have means that differ by more than
 * {@code eps = sqrt(2/m · var(W) · ln(2/δ')) + 2/(3m) · ln(2/δ')}, with {@code 1/m = 1/n0 + 1/n1}
 * and {@code δ' = δ / ln n} (the paper's normal approximation of its Hoeffding bound, section 4).
 * When some split exceeds it, the oldest values are dropped until none does: the values left are
 * those since the change, and {@link #add} reports the detection.
 *
 * <p>W is stored as an exponential histogram: rows of buckets where row i holds buckets of 2^i
 * values (count, sum and sum of squared deviations of each), at most {@code maxBuckets} per row;
 * memory and the cost of a check are O(maxBuckets · log n). Splits are checked at bucket
 * boundaries every {@code clock} values, and only when both sides have at least
 * {@code minSide} values.
 *
 * <p>Not thread-safe.
 */
public final class Adwin {

    /** One bucket: {@code 2^row} values with their sum and sum of squared deviations from their mean. */
    private record Bucket(double sum, double squares) { }

    private final double delta;
    private final int maxBuckets;
    private final int clock;
    private final int minSide;
    /** rows.get(i): buckets of 2^i values, newest first. */
    private final List<ArrayDeque<Bucket>> rows = new ArrayList<>();
    private long width;
    private double total;
    private double squares;
    private long seen;
    private long detections;
    private Change lastChange;
    /** The row of the bucket {@link #dropOldest} removed last (its size is 2^row). */
    private int lastDroppedRow;

    /** What a detection found: the means of the dropped (older) part and of the part kept. */
    public record Change(long dropped, double meanBefore, long kept, double meanAfter) {

        /** Whether the newer values are higher than the older ones (for an error: the model got worse). */
        public boolean increase() {
            return meanAfter > meanBefore;
        }
    }

    /** ADWIN with confidence {@code delta}, 5 buckets per row, a check every 32 values and sides of 10 or more. */
    public Adwin(double delta) {
        this(delta, 5, 32, 10);
    }

    public Adwin(double delta, int maxBuckets, int clock, int minSide) {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
        if (maxBuckets < 2 || clock < 1 || minSide < 1) {
            throw new IllegalArgumentException("maxBuckets >= 2, clock >= 1 and minSide >= 1 needed");
        }
        this.delta = delta;
        this.maxBuckets = maxBuckets;
        this.clock = clock;
        this.minSide = minSide;
    }

    /**
     * Adds {@code value} (clamped to [0, 1]; NaN is ignored) and returns whether a change was
     * detected now; {@link #lastChange()} then describes it and {@link #width()} is the number of
     * values since the change.
     */
    public boolean add(double value) {
        if (Double.isNaN(value)) {
            return false;
        }
        double v = Math.min(1.0, Math.max(0.0, value));
        if (width > 0) {
            double mean = total / width;
            squares += (double) width * (v - mean) * (v - mean) / (width + 1);
        }
        width++;
        total += v;
        row(0).addFirst(new Bucket(v, 0));
        compress();
        seen++;
        return seen % clock == 0 && width >= 2L * minSide && detect();
    }

    private ArrayDeque<Bucket> row(int i) {
        while (rows.size() <= i) {
            rows.add(new ArrayDeque<>());
        }
        return rows.get(i);
    }

    /** Merges the two oldest buckets of a row that holds more than maxBuckets into one of the next row. */
    private void compress() {
        for (int i = 0; i < rows.size(); i++) {
            ArrayDeque<Bucket> r = rows.get(i);
            if (r.size() <= maxBuckets) {
                return;
            }
            Bucket older = r.pollLast();
            Bucket newer = r.pollLast();
            double n = 1L << i;
            double diff = older.sum / n - newer.sum / n;
            row(i + 1).addFirst(new Bucket(older.sum + newer.sum,
                    older.squares + newer.squares + n * n * diff * diff / (2 * n)));
        }
    }

    /** Drops the oldest buckets while some split of the window has means too far apart; true if any were dropped. */
    private boolean detect() {
        boolean changed = false;
        long droppedCount = 0;
        double droppedSum = 0;
        boolean again = true;
        while (again && width >= 2L * minSide) {
            again = false;
            long n0 = 0;
            double sum0 = 0;
            double variance = squares / width;
            double ln = Math.log(2 * Math.log(width) / delta);
            // Cut points from the oldest bucket towards the newest.
            outer:
            for (int i = rows.size() - 1; i >= 0; i--) {
                long size = 1L << i;
                Iterator<Bucket> oldestFirst = rows.get(i).descendingIterator();
                while (oldestFirst.hasNext()) {
                    Bucket b = oldestFirst.next();
                    n0 += size;
                    sum0 += b.sum;
                    long n1 = width - n0;
                    if (n1 < minSide) {
                        break outer;
                    }
                    if (n0 < minSide) {
                        continue;
                    }
                    double mInverse = 1.0 / n0 + 1.0 / n1;
                    double eps = Math.sqrt(2 * mInverse * variance * ln) + 2.0 / 3.0 * mInverse * ln;
                    if (Math.abs(sum0 / n0 - (total - sum0) / n1) > eps) {
                        Bucket dropped = dropOldest();
                        droppedCount += dropped == null ? 0 : 1L << lastDroppedRow;
                        droppedSum += dropped == null ? 0 : dropped.sum;
                        changed = true;
                        again = true;
                        break outer;
                    }
                }
            }
        }
        if (changed) {
            detections++;
            lastChange = new Change(droppedCount, droppedSum / droppedCount, width, total / width);
        }
        return changed;
    }

    /** Removes the oldest bucket (the oldest of the highest row) and its values' share of the statistics. */
    private Bucket dropOldest() {
        for (int i = rows.size() - 1; i >= 0; i--) {
            ArrayDeque<Bucket> r = rows.get(i);
            if (r.isEmpty()) {
                continue;
            }
            Bucket b = r.pollLast();
            long n = 1L << i;
            width -= n;
            total -= b.sum;
            if (width > 0) {
                double diff = b.sum / n - total / width;
                squares -= b.squares + (double) n * width * diff * diff / (n + width);
                squares = Math.max(0, squares);
            } else {
                squares = 0;
            }
            while (!rows.isEmpty() && rows.get(rows.size() - 1).isEmpty()) {
                rows.remove(rows.size() - 1);
            }
            lastDroppedRow = i;
            return b;
        }
        return null;
    }

    /** Forgets everything (e.g. when the model whose error it watches is replaced). */
    public void reset() {
        rows.clear();
        width = 0;
        total = 0;
        squares = 0;
        seen = 0;
        lastChange = null;
    }

    /** Values in the window: all since the last detected change (or reset). */
    public long width() {
        return width;
    }

    /** Mean of the window; NaN when empty. */
    public double mean() {
        return width == 0 ? Double.NaN : total / width;
    }

    /** Population variance of the window; NaN when empty. */
    public double variance() {
        return width == 0 ? Double.NaN : squares / width;
    }

    /** Changes detected since construction. */
    public long detections() {
        return detections;
    }

    /** The most recent detection since the last reset, or null. */
    public Change lastChange() {
        return lastChange;
    }

    /** Buckets held (memory), for tests. */
    int buckets() {
        return rows.stream().mapToInt(ArrayDeque::size).sum();
    }
}
