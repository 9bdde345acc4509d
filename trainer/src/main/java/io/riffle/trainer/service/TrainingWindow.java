package io.riffle.trainer.service;

import io.riffle.schemas.TrainingExample;
import io.riffle.trainer.data.Dataset;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sliding window of labeled examples, bounded by time and by count.
 *
 * <p>Its clock is the training topic's record timestamps: an example stays while its record is
 * younger than the window length, so a restarted trainer that seeks the topic to
 * {@code now − length} ({@code offsetsForTimes}) rebuilds the same window without a state file.
 * Records are ordered by (timestamp, partition, offset); the count bound keeps the newest in that
 * order and one entry per event id, the newest ("latest wins": a corrected label replaces the
 * first). Both rules give the same window whatever order the partitions are read in.
 */
final class TrainingWindow {
    private final long lengthMs;
    private final int maxExamples;
    private final int featureCount;
    private final String specHash;
    private final TreeMap<Position, TrainingExample> entries = new TreeMap<>();
    private final Map<String, Position> byEventId = new HashMap<>();
    private long skippedForeignSpec;

    /** Where a record sits on the topic: the window's total order. */
    record Position(long recordTime, int partition, long offset) implements Comparable<Position> {
        @Override
        public int compareTo(Position o) {
            int c = Long.compare(recordTime, o.recordTime);
            if (c == 0) {
                c = Integer.compare(partition, o.partition);
            }
            return c != 0 ? c : Long.compare(offset, o.offset);
        }
    }

    TrainingWindow(long lengthMs, int maxExamples, int featureCount, String specHash) {
        this.lengthMs = lengthMs;
        this.maxExamples = maxExamples;
        this.featureCount = featureCount;
        this.specHash = specHash;
    }

    /** Adds one example; returns false (and counts it) when it was made for another feature spec or width. */
    boolean add(TrainingExample example, Position position) {
        if (example.getValues().size() != featureCount
                || (specHash != null && !specHash.equals(example.getSpecHash()))) {
            skippedForeignSpec++;
            return false;
        }
        Position previous = byEventId.get(example.getEventId());
        if (previous != null) {
            if (previous.compareTo(position) >= 0) {
                return true;        // an older record of an event we already hold in a newer version
            }
            entries.remove(previous);
        }
        entries.put(position, example);
        byEventId.put(example.getEventId(), position);
        while (entries.size() > maxExamples) {
            evict(entries.firstEntry());
        }
        return true;
    }

    private void evict(Map.Entry<Position, TrainingExample> oldest) {
        entries.remove(oldest.getKey());
        byEventId.remove(oldest.getValue().getEventId(), oldest.getKey());
    }

    /** Drops the examples whose records are older than {@code now − length}. */
    void expire(long now) {
        long cutoff = now - lengthMs;
        while (!entries.isEmpty() && entries.firstKey().recordTime() < cutoff) {
            evict(entries.firstEntry());
        }
    }

    /**
     * Keeps only the newest {@code n} examples (in topic order): after a detected drift, the
     * examples from before the change describe another concept. Returns how many were dropped.
     */
    int keepNewest(int n) {
        int dropped = 0;
        while (entries.size() > Math.max(0, n)) {
            evict(entries.firstEntry());
            dropped++;
        }
        return dropped;
    }

    int size() {
        return entries.size();
    }

    long positives() {
        return entries.values().stream().filter(e -> e.getLabel() == 1).count();
    }

    long skippedForeignSpec() {
        return skippedForeignSpec;
    }

    /** The event ids in the window, in topic order (tests compare a rebuilt window with the original). */
    List<String> eventIds() {
        List<String> ids = new ArrayList<>(entries.size());
        entries.values().forEach(e -> ids.add(e.getEventId()));
        return ids;
    }

    /** The window's examples ordered by event time (ties by event id), oldest first. */
    List<TrainingExample> byEventTime() {
        List<TrainingExample> examples = new ArrayList<>(entries.size());
        examples.addAll(entries.values());
        examples.sort(Comparator.comparingLong(TrainingExample::getEventTime).thenComparing(TrainingExample::getEventId));
        return examples;
    }

    /** Rows {@code [from, to)} of {@code examples} as a dataset. */
    static Dataset toDataset(List<TrainingExample> examples, int from, int to, int featureCount) {
        int rows = to - from;
        float[] x = new float[rows * featureCount];
        int[] labels = new int[rows];
        for (int r = 0; r < rows; r++) {
            TrainingExample e = examples.get(from + r);
            List<Float> values = e.getValues();
            for (int j = 0; j < featureCount; j++) {
                Float v = values.get(j);
                x[r * featureCount + j] = v == null ? Float.NaN : v;
            }
            labels[r] = e.getLabel() > 0 ? 1 : 0;
        }
        return new Dataset(x, rows, featureCount, labels);
    }
}
