package io.riffle.modelops.serving;

import io.riffle.schemas.FeatureVector;

import java.util.Arrays;
import java.util.List;

/**
 * One micro-batch of rows to score: each row's identity column by column, and the feature values
 * row after row in one array ({@link #values()}), the layout an ONNX Runtime call takes without a
 * copy. A row's values are written in place at {@link #nextOffset()} before the row is
 * {@linkplain #add added}. Each row also keeps the timestamp of the record it came from, which its
 * score is emitted with.
 */
public final class ScoreBatch {
    private final int capacity;
    private final int featureCount;
    private final String[] eventIds;
    private final String[] entityIds;
    private final String[] specHashes;
    private final long[] eventTimes;
    private final long[] ingestTimes;
    private final long[] timestamps;
    private final boolean[] hasTimestamp;
    private final float[] values;
    private int size;

    public ScoreBatch(int capacity, int featureCount) {
        if (capacity < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.featureCount = featureCount;
        eventIds = new String[capacity];
        entityIds = new String[capacity];
        specHashes = new String[capacity];
        eventTimes = new long[capacity];
        ingestTimes = new long[capacity];
        timestamps = new long[capacity];
        hasTimestamp = new boolean[capacity];
        values = new float[capacity * featureCount];
    }

    /** The rows' feature values, row {@code i} at {@code [i * featureCount, (i + 1) * featureCount)}. */
    public float[] values() {
        return values;
    }

    /** Where the next row's values go. */
    public int nextOffset() {
        return size * featureCount;
    }

    public int offset(int row) {
        return row * featureCount;
    }

    public int featureCount() {
        return featureCount;
    }

    public int capacity() {
        return capacity;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public boolean isFull() {
        return size == capacity;
    }

    /** Adds the row whose values are already at {@link #nextOffset()}; the batch must not be full. */
    public void add(String eventId, String entityId, long eventTime, long ingestTime, String specHash,
                    boolean withTimestamp, long timestamp) {
        eventIds[size] = eventId;
        entityIds[size] = entityId;
        specHashes[size] = specHash;
        eventTimes[size] = eventTime;
        ingestTimes[size] = ingestTime;
        hasTimestamp[size] = withTimestamp;
        timestamps[size] = timestamp;
        size++;
    }

    /** Adds a feature vector of this batch's width (values copied). */
    public void add(FeatureVector fv, boolean withTimestamp, long timestamp) {
        List<Float> v = fv.getValues();
        int offset = nextOffset();
        for (int j = 0; j < featureCount; j++) {
            values[offset + j] = v.get(j);
        }
        add(fv.getEventId(), fv.getEntityId(), fv.getEventTime(), fv.getIngestTime(), fv.getSpecHash(),
                withTimestamp, timestamp);
    }

    /** Empties the batch (the arrays are reused). */
    public void clear() {
        size = 0;
    }

    public String eventId(int row) {
        return eventIds[row];
    }

    public String entityId(int row) {
        return entityIds[row];
    }

    public long eventTime(int row) {
        return eventTimes[row];
    }

    public long ingestTime(int row) {
        return ingestTimes[row];
    }

    public boolean hasTimestamp(int row) {
        return hasTimestamp[row];
    }

    public long timestamp(int row) {
        return timestamps[row];
    }

    /** Row {@code row} as a feature vector (a dead letter's content). */
    public FeatureVector vector(int row) {
        return vector(eventIds[row], entityIds[row], eventTimes[row], ingestTimes[row], specHashes[row], values,
                offset(row), featureCount);
    }

    /** A row's values as a feature vector: for the features topic, the records waiting for models, dead letters. */
    public static FeatureVector vector(String eventId, String entityId, long eventTime, long ingestTime,
                                       String specHash, float[] values, int offset, int featureCount) {
        Float[] boxed = new Float[featureCount];
        for (int j = 0; j < featureCount; j++) {
            boxed[j] = values[offset + j];
        }
        return new FeatureVector(eventId, entityId, eventTime, ingestTime, specHash == null ? "" : specHash,
                Arrays.asList(boxed), null);
    }
}
