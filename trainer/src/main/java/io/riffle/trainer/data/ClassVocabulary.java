package io.riffle.trainer.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The classes a multiclass model ranks: the {@code labelClass} strings of a training window mapped
 * to output columns, most frequent first (ties by label, so the same window always gives the same
 * columns), bounded by {@code maxClasses}. Examples of the classes left out are counted
 * ({@link #droppedExamples()}); a model cannot recommend a class it has no column for, so they
 * are misses on a holdout.
 */
public final class ClassVocabulary {

    /** The bound when the pipeline file gives no {@code max-classes}. */
    public static final int DEFAULT_MAX_CLASSES = 5000;

    private final List<String> labels;
    private final long[] counts;
    private final Map<String, Integer> index;
    private final int droppedClasses;
    private final long droppedExamples;

    private ClassVocabulary(List<String> labels, long[] counts, int droppedClasses, long droppedExamples) {
        this.labels = List.copyOf(labels);
        this.counts = counts;
        this.index = new HashMap<>(labels.size() * 2);
        for (int i = 0; i < labels.size(); i++) {
            index.put(labels.get(i), i);
        }
        this.droppedClasses = droppedClasses;
        this.droppedExamples = droppedExamples;
    }

    /** The vocabulary of {@code classLabels} (nulls are not classes and are skipped), at most {@code maxClasses}. */
    public static ClassVocabulary of(Collection<String> classLabels, int maxClasses) {
        if (maxClasses < 1) {
            throw new IllegalArgumentException("maxClasses must be >= 1, got " + maxClasses);
        }
        Map<String, long[]> tally = new HashMap<>();
        for (String label : classLabels) {
            if (label != null) {
                tally.computeIfAbsent(label, l -> new long[1])[0]++;
            }
        }
        List<Map.Entry<String, long[]>> sorted = new ArrayList<>(tally.entrySet());
        sorted.sort(Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[0])
                .thenComparing(Map.Entry::getKey));
        int kept = Math.min(maxClasses, sorted.size());
        List<String> labels = new ArrayList<>(kept);
        long[] counts = new long[kept];
        long dropped = 0;
        for (int i = 0; i < sorted.size(); i++) {
            if (i < kept) {
                labels.add(sorted.get(i).getKey());
                counts[i] = sorted.get(i).getValue()[0];
            } else {
                dropped += sorted.get(i).getValue()[0];
            }
        }
        return new ClassVocabulary(labels, counts, sorted.size() - kept, dropped);
    }

    /** Number of classes (output columns). */
    public int size() {
        return labels.size();
    }

    /** The labels in column order. */
    public List<String> labels() {
        return labels;
    }

    public String label(int column) {
        return labels.get(column);
    }

    /** The column of {@code label}, or -1 when it is not in the vocabulary (or null). */
    public int index(String label) {
        if (label == null) {
            return -1;
        }
        Integer i = index.get(label);
        return i == null ? -1 : i;
    }

    /** How many examples of the window had the class of {@code column}. */
    public long count(int column) {
        return counts[column];
    }

    /** Classes of the window beyond the bound. */
    public int droppedClasses() {
        return droppedClasses;
    }

    /** Examples of the window whose class is beyond the bound. */
    public long droppedExamples() {
        return droppedExamples;
    }

    /** The column of each label in {@code classLabels} (-1 for those outside the vocabulary). */
    public int[] indices(List<String> classLabels) {
        int[] out = new int[classLabels.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = index(classLabels.get(i));
        }
        return out;
    }
}
