package io.riffle.jobs.operators;

import io.riffle.schemas.FeatureVector;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The records a {@link BatchingScorer} holds while a required model is missing: at most
 * {@code limit}, kept as feature vectors (so they hold no reference to upstream records),
 * checkpointed in operator state, and the newest watermark held back behind them until they are
 * scored.
 */
final class WaitingRecords {
    /** Records still waiting for a model when a checkpoint is taken. */
    static final ListStateDescriptor<FeatureVector> STATE =
            new ListStateDescriptor<>("riffle-waiting-records", new AvroTypeInfo<>(FeatureVector.class));

    private final int limit;
    private final ArrayDeque<StreamRecord<FeatureVector>> records = new ArrayDeque<>();
    private ListState<FeatureVector> state;
    private Watermark held;

    WaitingRecords(int limit) {
        this.limit = limit;
    }

    /** Takes the records a checkpoint held (their timestamp is then their event time). */
    void restore(OperatorStateStore store) throws Exception {
        state = store.getListState(STATE);
        for (FeatureVector fv : state.get()) {
            records.add(new StreamRecord<>(fv, fv.getEventTime()));
        }
    }

    void snapshot() throws Exception {
        List<FeatureVector> vectors = new ArrayList<>(records.size());
        for (StreamRecord<FeatureVector> r : records) {
            vectors.add(r.getValue());
        }
        state.update(vectors);
    }

    /** Holds the record, or returns false when {@code limit} records already wait. */
    boolean offer(FeatureVector fv, boolean withTimestamp, long timestamp) {
        if (records.size() >= limit) {
            return false;
        }
        records.add(withTimestamp ? new StreamRecord<>(fv, timestamp) : new StreamRecord<>(fv));
        return true;
    }

    int limit() {
        return limit;
    }

    boolean isEmpty() {
        return records.isEmpty();
    }

    int size() {
        return records.size();
    }

    /** The oldest waiting record, or null. */
    StreamRecord<FeatureVector> poll() {
        return records.poll();
    }

    /** Keeps the newest watermark until the records before it are scored. */
    void holdWatermark(Watermark mark) {
        held = mark;
    }

    /** The held watermark (null if none), no longer held. */
    Watermark releaseWatermark() {
        Watermark mark = held;
        held = null;
        return mark;
    }
}
