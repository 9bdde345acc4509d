package io.riffle.jobs.operators;

import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.TrainingExample;
import io.riffle.schemas.serde.AvroClassAllowList;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Labels each feature vector with what its entity did next (labels.from-next-event), keyed by
 * entity id: the label of a vector is the {@code labelValue} of the same entity's next vector by
 * event time, if that comes at most {@code within} later. It is emitted as a {@link TrainingExample}
 * with {@code label = -1}, {@code labelClass} = the next event's value and {@code labelTime} = the
 * next event's time.
 *
 * <p>Vectors arrive out of order within the watermark's bound, so they are buffered and resolved
 * by event-time timers, never on arrival. Once the watermark has passed the next vector's time no
 * event can still come between the two (ties in event time are ordered by event id, so the
 * order, and with it every label, is the same on every replay), and once it has passed
 * {@code eventTime + within} no next event within the window can come any more: each vector has
 * a timer at its own event time (it may complete its predecessor) and one at
 * {@code eventTime + within} (it is the last of its session). A vector with no next event within
 * {@code within} gets no label: it is dropped, counted by {@code unlabelled}, not an error.
 *
 * <p>Also counted in {@code unlabelled}, and dropped on arrival: a vector without a labelValue
 * (the event had no value in the field; {@code withoutLabelValue}), which neither gets nor gives a
 * label, so its predecessor is labelled by the next event that has one; a vector behind the
 * watermark ({@code lateVectors}), whose neighbours may already be resolved; and a second vector
 * with an event id already buffered for the entity ({@code duplicateVectors}, an at-least-once
 * replay of the scorer). So {@code labelled + unlabelled} = vectors in. Once an entity has nothing
 * buffered its state is cleared and no timer of it is left.
 */
public final class NextEventLabeler extends KeyedProcessFunction<String, FeatureVector, TrainingExample> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(NextEventLabeler.class);

    /** Event-time order, ties by event id: the order labels are taken in. */
    static final Comparator<FeatureVector> EVENT_ORDER = Comparator.comparingLong(FeatureVector::getEventTime)
            .thenComparing(FeatureVector::getEventId);

    // State of the current entity: cleared when nothing is left waiting.

    /** The entity's vectors still waiting for their label (any order; sorted when a timer fires). */
    private transient ListState<FeatureVector> waiting;

    private final long withinMs;

    private transient Counter labelled;
    private transient Counter unlabelled;
    private transient Counter withoutLabelValue;
    private transient Counter lateVectors;
    private transient Counter duplicateVectors;

    /** @param within how much later (event time, inclusive) the next event may come and still label a vector */
    public NextEventLabeler(Duration within) {
        if (within.isNegative() || within.isZero()) {
            throw new IllegalArgumentException("within must be above 0, got " + within);
        }
        this.withinMs = within.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        AvroClassAllowList.allowRiffleRecords();
        waiting = getRuntimeContext().getListState(
                new ListStateDescriptor<>("next-event-waiting", new AvroTypeInfo<>(FeatureVector.class)));
        labelled = getRuntimeContext().getMetricGroup().counter("labelled");
        unlabelled = getRuntimeContext().getMetricGroup().counter("unlabelled");
        withoutLabelValue = getRuntimeContext().getMetricGroup().counter("withoutLabelValue");
        lateVectors = getRuntimeContext().getMetricGroup().counter("lateVectors");
        duplicateVectors = getRuntimeContext().getMetricGroup().counter("duplicateVectors");
    }

    @Override
    public void processElement(FeatureVector v, Context ctx, Collector<TrainingExample> out) throws Exception {
        if (v.getLabelValue() == null) {
            withoutLabelValue.inc();
            unlabelled.inc();
            LOG.debug("Vector of event {} (entity {}) has no labelValue: it neither gets nor gives a label",
                    v.getEventId(), v.getEntityId());
            return;
        }
        TimerService timers = ctx.timerService();
        if (v.getEventTime() <= timers.currentWatermark()) {
            lateVectors.inc();
            unlabelled.inc();
            LOG.debug("Vector of event {} (entity {}) at {} is behind the watermark {}: dropped without a label",
                    v.getEventId(), v.getEntityId(), v.getEventTime(), timers.currentWatermark());
            return;
        }
        for (FeatureVector w : waiting.get()) {
            if (w.getEventId().equals(v.getEventId())) {
                duplicateVectors.inc();
                unlabelled.inc();
                return;
            }
        }
        waiting.add(v);
        timers.registerEventTimeTimer(v.getEventTime());
        timers.registerEventTimeTimer(deadline(v));
    }

    @Override
    public void onTimer(long watermark, OnTimerContext ctx, Collector<TrainingExample> out) throws Exception {
        List<FeatureVector> all = new ArrayList<>();
        for (FeatureVector v : waiting.get()) {
            all.add(v);
        }
        all.sort(EVENT_ORDER);
        List<FeatureVector> kept = new ArrayList<>();
        List<FeatureVector> done = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            FeatureVector v = all.get(i);
            FeatureVector next = i + 1 < all.size() ? all.get(i + 1) : null;
            if (next != null && next.getEventTime() <= watermark) {
                // Nothing can come between v and next any more: next is v's next event.
                if (next.getEventTime() <= deadline(v)) {
                    out.collect(example(v, next));
                    labelled.inc();
                } else {
                    unlabelled.inc();
                }
                done.add(v);
            } else if (deadline(v) <= watermark) {
                // No next event within the window: the last event of a session.
                unlabelled.inc();
                done.add(v);
            } else {
                kept.add(v);
            }
        }
        if (done.isEmpty()) {
            return;
        }
        if (kept.isEmpty()) {
            waiting.clear();
        } else {
            waiting.update(kept);
        }
        // A vector resolved early (by its successor) leaves its deadline timer behind: delete it,
        // unless a vector still waiting needs a timer at that time (Flink keeps one per key and time).
        Set<Long> stillNeeded = new HashSet<>();
        for (FeatureVector v : kept) {
            stillNeeded.add(v.getEventTime());
            stillNeeded.add(deadline(v));
        }
        for (FeatureVector v : done) {
            long deadline = deadline(v);
            if (deadline > watermark && !stillNeeded.contains(deadline)) {
                ctx.timerService().deleteEventTimeTimer(deadline);
            }
        }
    }

    private long deadline(FeatureVector v) {
        long t = v.getEventTime();
        // (an event time near Long.MAX_VALUE must not wrap around into the past)
        return t > Long.MAX_VALUE - withinMs ? Long.MAX_VALUE : t + withinMs;
    }

    private static TrainingExample example(FeatureVector v, FeatureVector next) {
        return new TrainingExample(v.getEventId(), v.getEntityId(), v.getEventTime(), next.getEventTime(),
                v.getSpecHash(), v.getValues(), -1, next.getLabelValue());
    }

    @VisibleForTesting
    long labelledCount() {
        return labelled.getCount();
    }

    @VisibleForTesting
    long unlabelledCount() {
        return unlabelled.getCount();
    }

    @VisibleForTesting
    long withoutLabelValueCount() {
        return withoutLabelValue.getCount();
    }

    @VisibleForTesting
    long lateCount() {
        return lateVectors.getCount();
    }

    @VisibleForTesting
    long duplicateCount() {
        return duplicateVectors.getCount();
    }
}
