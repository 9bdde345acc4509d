package io.riffle.modelops.features;

import io.riffle.modelops.features.ColumnPlan.Column;
import io.riffle.modelops.features.ColumnPlan.Ratio;
import io.riffle.modelops.spec.AggregateFeature;
import io.riffle.modelops.spec.AggregateFeature.Function;
import io.riffle.modelops.spec.FeatureSpec;
import io.riffle.modelops.spec.MissingRule;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.TimeFeature;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

import java.io.Serializable;
import java.time.Duration;

/**
 * The featurizer: computes a {@link FeatureSpec}'s vector for one event and updates that entity's
 * {@link EntityFeatureState}. The scoring job calls it from its keyed operator (whose vectors also
 * go to the features topic, on which the trainer trains), the demo's bootstrap and the benchmarks
 * call it directly. Reads events as {@link IndexedRecord} (generic or generated classes) by field
 * position, resolved once per record schema ({@link EventFields}).
 *
 * <p>It walks the {@link ColumnPlan} (which columns, in what order), computing each column with
 * the {@link FieldTransforms} of the event alone or from the {@link WindowedAggregates} of the
 * entity. Aggregates cover the event itself and the entity's earlier-processed events whose bucket
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

    private static final long serialVersionUID = 2L;
    /** {@code Function.values()} clones its array at every call. */
    private static final Function[] FUNCTIONS = Function.values();

    private final FeatureSpec spec;
    private final EventFields fields;
    private final Column[] columns;
    private final ColumnPlan plan;
    private final FieldTransforms transforms;
    private final WindowedAggregates aggregates;
    /** Null when the spec has no session features (the state's session fields then stay untouched). */
    private final EntitySessions sessions;

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
        ColumnPlan plan = new ColumnPlan(spec, schema, idField);
        this.fields = plan.fields;
        this.columns = plan.columns;
        this.plan = plan;
        this.transforms = new FieldTransforms(fields);
        this.aggregates = new WindowedAggregates(spec.stateWindows(), spec.buckets(), allowedLateness, plan);
        this.sessions = spec.sessionGap() == null ? null : new EntitySessions(spec.sessionGap().toMillis());
    }

    public FeatureSpec spec() {
        return spec;
    }

    /** Length of the vectors written. */
    public int count() {
        return spec.count();
    }

    /** How this extractor reads an event's key, id and time (also what the decoder reads them with). */
    public EventFields fields() {
        return fields;
    }

    /** Events that arrived more than the allowed lateness behind their entity's newest event. */
    public long lateEvents() {
        return aggregates.lateEvents();
    }

    /** Events whose bucket had already left a window's ring, so they are missing from that window's aggregates. */
    public long eventsNotAggregated() {
        return aggregates.eventsNotAggregated();
    }

    /** Width of one time bucket of {@code window} (the aggregates' resolution), in milliseconds. */
    public long bucketWidthMillis(Duration window) {
        int i = spec.stateWindows().indexOf(window);
        if (i < 0) {
            throw new IllegalArgumentException("no aggregate reads window " + window);
        }
        return aggregates.bucketWidthMillis(i);
    }

    /** A fresh state: every ring's slots, room for a few entries (it grows as slots are used, up to one entry per slot). */
    public EntityFeatureState newState() {
        return aggregates.newState();
    }

    /** Slots in all rings: the most entries a state can hold. */
    public int slots() {
        return aggregates.slots();
    }

    /** The entity key of {@code event} as text (the keyBy of the scoring job). */
    public String entityKey(IndexedRecord event) {
        return fields.entityKey(event);
    }

    /** Event time of {@code event} in epoch milliseconds, read in the spec's time unit. */
    public long eventTime(IndexedRecord event) {
        return fields.eventTime(event);
    }

    /** The pipeline's event-id field, or null when it has none. */
    public String idField() {
        return fields.idField();
    }

    /** The value of the pipeline's event-id field (read by position), or null when it is missing or there is none. */
    public Object eventId(IndexedRecord event) {
        return fields.eventId(event);
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
        aggregates.prepare(state);
        int[] pos = fields.positions(event);
        long t = eventTime;

        // read every input before touching the state, so a bad value leaves it unchanged
        AggregateScratch work = aggregates.scratch();
        aggregates.read(event, pos, work);
        aggregates.query(state, t, work);
        WindowStats[] windows = work.windows;

        int o = offset;
        for (Column c : columns) {
            switch (c.kind()) {
                case NUMERIC -> o = transforms.numeric(event, pos, c, out, o);
                case BOOL -> o = transforms.bool(event, pos, c, out, o);
                case CATEGORICAL -> o = FieldTransforms.categorical(event, pos, c, out, o);
                case TIME -> o = FieldTransforms.time((TimeFeature) c.feature(), t, out, o);
                case AGGREGATE -> {
                    AggregateFeature a = (AggregateFeature) c.feature();
                    out[o++] = (float) FieldTransforms.transform(windows[c.window()].value(a.function(), c.input()), a.log1p());
                }
                case TIME_SINCE_PREVIOUS -> {
                    AggregateFeature a = (AggregateFeature) c.feature();
                    double cap = a.cap().toMillis() / 1000.0;
                    double v = state.newestTime == Long.MIN_VALUE ? cap : Math.min(cap, Math.max(0L, t - state.newestTime) / 1000.0);
                    out[o++] = (float) FieldTransforms.transform(v, a.log1p());
                }
                case COUNT_BY -> {
                    AggregateFeature a = (AggregateFeature) c.feature();
                    WindowStats stats = windows[c.window()];
                    int from = plan.categories[c.input()].offset();
                    for (int i = 0; i < a.width(); i++) {
                        double n = stats.categories[from + i];
                        // the window holds the event itself, so its count is at least 1
                        out[o++] = (float) FieldTransforms.transform(a.share() ? n / stats.n : n, a.log1p());
                    }
                }
                case SESSION -> {
                    AggregateFeature a = (AggregateFeature) c.feature();
                    double v = a.function() == Function.SESSION_EVENTS ? sessions.events(state, t) : sessions.durationSeconds(state, t);
                    out[o++] = (float) FieldTransforms.transform(v, a.log1p());
                }
                case RATIO -> {
                    Ratio r = (Ratio) c.feature();
                    double num = operand(event, pos, r.of(), windows);
                    double den = operand(event, pos, r.to(), windows);
                    out[o++] = (float) (den == 0.0 ? r.feature().whenZero() : num / den);
                }
            }
        }
        aggregates.add(state, t, work);
        if (sessions != null) {
            sessions.add(state, t);
        }
    }

    /** A ratio's operand: a field of the event, or a windowed aggregate (see {@link Ratio}). */
    private double operand(IndexedRecord event, int[] pos, int[] op, WindowStats[] windows) {
        if (op[0] >= 0) {
            return fields.number(event, pos, op[0], MissingRule.ERROR);
        }
        return windows[op[1]].value(FUNCTIONS[op[3]], op[2]);
    }
}
