package io.riffle.trainer.drift;

import java.util.Arrays;

/**
 * The scores of the newest {@code capacity} examples of one class, kept sorted, to rank a score
 * of the other class against them: {@link #shareAbove} of a positive's score among the recent
 * negatives' is that positive's part of {@code 1 − ROC-AUC} (ties count half, as in the AUC), so
 * its mean over the positives is the model's live AUC deficit. Adding is O(capacity) (one array
 * move), ranking O(log capacity).
 *
 * <p>Not thread-safe.
 */
public final class RecentScores {
    /** Insertion order, oldest at {@code next} once full. */
    private final float[] ring;
    /** The same values, ascending; the first {@code size} are used. */
    private final float[] sorted;
    private int size;
    private int next;

    public RecentScores(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.ring = new float[capacity];
        this.sorted = new float[capacity];
    }

    /** Adds {@code score} (NaN is ignored), forgetting the oldest when full. */
    public void add(float score) {
        if (Float.isNaN(score)) {
            return;
        }
        if (size == ring.length) {
            int at = indexOf(ring[next]);
            System.arraycopy(sorted, at + 1, sorted, at, size - at - 1);
            size--;
        }
        ring[next] = score;
        next = (next + 1) % ring.length;
        int at = lowerBound(score);
        System.arraycopy(sorted, at, sorted, at + 1, size - at);
        sorted[at] = score;
        size++;
    }

    /** Number of scores held. */
    public int size() {
        return size;
    }

    /** Share of the held scores above {@code score}, ties counting half; NaN when none are held. */
    public double shareAbove(float score) {
        if (size == 0 || Float.isNaN(score)) {
            return Double.NaN;
        }
        int below = lowerBound(score);
        int atOrBelow = upperBound(score);
        return (size - atOrBelow + 0.5 * (atOrBelow - below)) / size;
    }

    public void clear() {
        size = 0;
        next = 0;
    }

    private int indexOf(float value) {
        int at = lowerBound(value);
        if (at >= size || Float.compare(sorted[at], value) != 0) {
            throw new IllegalStateException("sorted copy lost " + value + ": " + Arrays.toString(sorted));
        }
        return at;
    }

    /** First index whose value is not below {@code value}. */
    private int lowerBound(float value) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Float.compare(sorted[mid], value) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** First index whose value is above {@code value}. */
    private int upperBound(float value) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Float.compare(sorted[mid], value) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
