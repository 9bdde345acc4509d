package io.riffle.jobs.operators;

import io.riffle.jobs.serde.DeadLetters;
import io.riffle.jobs.serde.DecodedLabel;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.TrainingExample;
import io.riffle.schemas.serde.AvroClassAllowList;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Joins each event's feature vector (input 1) with its labels (input 2), keyed by event id, into
 * {@link TrainingExample}s. All waiting is in processing time, because label delays (a chargeback
 * days later, a click seconds later) are wall-clock delays of the label source, not of the events.
 *
 * <ul>
 *   <li><b>Vector first.</b> The vector is kept for {@code maxDelay} after it arrived (the state
 *       TTL, enforced by a timer), whether or not a label came meanwhile, so that later labels
 *       for the event still find it; then every state entry and timer of the event is cleared.
 *       A second vector for an event already held (an at-least-once replay of the scorer) is
 *       ignored: the first one wins.</li>
 *   <li><b>Label with the vector present.</b> One example (features, label, event and label
 *       time, spec hash) is emitted at once. A further label for the same event is a duplicate:
 *       it emits an updated example and is counted ({@code riffleDuplicateLabels}). Latest
 *       <em>in arrival order</em> wins (the labels topic is keyed by event id, so that is the
 *       producer's order); the trainer keeps the latest example per event id.</li>
 *   <li><b>Label first.</b> The label waits up to {@code waitForFeatures} (measured from the
 *       latest pending label of the event). If the vector comes in time, one example with the
 *       latest pending label is emitted and the earlier pending labels count as duplicates;
 *       otherwise every pending label becomes a dead letter "label for unknown or expired event
 *       &lt;id&gt;" naming its Kafka record, counted by {@code riffleUnmatchedLabels}. A label
 *       arriving after the vector's state expired is therefore also unmatched.</li>
 *   <li><b>Implicit negative</b> (when {@code implicitNegativeAfter} &gt; 0, which must be below
 *       {@code maxDelay}). A vector still without a real label that long after it arrived emits a
 *       label-0 example whose label time is that moment ({@code riffleImplicitNegatives}). A
 *       real label arriving later, within {@code maxDelay}, emits the corrected example and
 *       counts as joined, not as a duplicate.</li>
 * </ul>
 *
 * Metrics: {@code riffleJoinedLabels} (first real label of an event joined),
 * {@code riffleDuplicateLabels}, {@code riffleUnmatchedLabels}, {@code riffleImplicitNegatives},
 * {@code riffleUnlabeledExpired} (vectors dropped without a real label). Every label is thus
 * joined, a duplicate or unmatched.
 */
public final class LabelJoiner extends KeyedCoProcessFunction<String, FeatureVector, DecodedLabel, TrainingExample> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LabelJoiner.class);

    /** Labels no feature vector was found for. */
    public static final OutputTag<DeadLetter> UNMATCHED_LABELS =
            new OutputTag<>("unmatched-labels", new AvroTypeInfo<>(DeadLetter.class));
    /** The dead letters' error class for an unmatched label (no exception is involved). */
    public static final String UNMATCHED_LABEL = "io.riffle.jobs.UnmatchedLabel";

    // State of the current event id. Every entry is cleared, and every timer deleted, once the
    // event is done: vector expired and no label pending.

    /** The event's feature vector, from its arrival until {@link #expiresAt}. */
    private transient ValueState<FeatureVector> vector;
    /** Processing time at which the vector (and all that goes with it) is dropped; a timer is set. */
    private transient ValueState<Long> expiresAt;
    /** Whether a real label has been joined with the vector: a further one is a duplicate. */
    private transient ValueState<Boolean> labeled;
    /** Processing time of the pending implicit-negative timer; empty when none is due. */
    private transient ValueState<Long> implicitNegativeAt;
    /** Labels that arrived before the vector, in arrival order. */
    private transient ListState<DecodedLabel> pending;
    /** Processing time at which the pending labels stop waiting for the vector; a timer is set. */
    private transient ValueState<Long> pendingUntil;

    private final long maxDelayMs;
    private final long waitForFeaturesMs;
    private final long implicitNegativeAfterMs;

    private transient Counter joined;
    private transient Counter duplicates;
    private transient Counter unmatched;
    private transient Counter implicitNegatives;
    private transient Counter unlabeledExpired;
    private transient Counter late;

    /**
     * @param maxDelay              how long a vector waits for (and keeps accepting) labels
     * @param waitForFeatures       how long a label waits for its vector
     * @param implicitNegativeAfter zero for off, else below {@code maxDelay}
     */
    public LabelJoiner(Duration maxDelay, Duration waitForFeatures, Duration implicitNegativeAfter) {
        if (maxDelay.isNegative() || maxDelay.isZero() || waitForFeatures.isNegative()
                || implicitNegativeAfter.isNegative() || implicitNegativeAfter.compareTo(maxDelay) >= 0) {
            throw new IllegalArgumentException("need 0 < maxDelay, 0 <= waitForFeatures and"
                    + " 0 <= implicitNegativeAfter < maxDelay; got " + maxDelay + ", " + waitForFeatures + ", "
                    + implicitNegativeAfter);
        }
        this.maxDelayMs = maxDelay.toMillis();
        this.waitForFeaturesMs = waitForFeatures.toMillis();
        this.implicitNegativeAfterMs = implicitNegativeAfter.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        AvroClassAllowList.allowRiffleRecords();
        vector = getRuntimeContext().getState(
                new ValueStateDescriptor<>("vector", new AvroTypeInfo<>(FeatureVector.class)));
        expiresAt = getRuntimeContext().getState(new ValueStateDescriptor<>("expires-at", Types.LONG));
        labeled = getRuntimeContext().getState(new ValueStateDescriptor<>("labeled", Types.BOOLEAN));
        implicitNegativeAt = getRuntimeContext().getState(new ValueStateDescriptor<>("implicit-negative-at", Types.LONG));
        pending = getRuntimeContext().getListState(
                new ListStateDescriptor<>("pending-labels", TypeInformation.of(DecodedLabel.class)));
        pendingUntil = getRuntimeContext().getState(new ValueStateDescriptor<>("pending-until", Types.LONG));

        joined = getRuntimeContext().getMetricGroup().counter("riffleJoinedLabels");
        duplicates = getRuntimeContext().getMetricGroup().counter("riffleDuplicateLabels");
        unmatched = getRuntimeContext().getMetricGroup().counter("riffleUnmatchedLabels");
        implicitNegatives = getRuntimeContext().getMetricGroup().counter("riffleImplicitNegatives");
        unlabeledExpired = getRuntimeContext().getMetricGroup().counter("riffleUnlabeledExpired");
        // The names operators look for (README, Operations): the same counts as the ones above,
        // plus late labels, which came after their event had already become an implicit negative.
        getRuntimeContext().getMetricGroup().counter("riffleLabelsMatched", joined);
        getRuntimeContext().getMetricGroup().counter("riffleLabelsExpired", unlabeledExpired);
        getRuntimeContext().getMetricGroup().counter("riffleLabelsUnknown", unmatched);
        late = getRuntimeContext().getMetricGroup().counter("riffleLabelsLate");
    }

    @Override
    public void processElement1(FeatureVector v, Context ctx, Collector<TrainingExample> out) throws Exception {
        if (vector.value() != null) {
            LOG.debug("Ignoring a repeated feature vector for event {}", v.getEventId());
            return;
        }
        TimerService timers = ctx.timerService();
        long now = timers.currentProcessingTime();
        vector.update(v);
        long expiry = now + maxDelayMs;
        expiresAt.update(expiry);
        timers.registerProcessingTimeTimer(expiry);

        List<DecodedLabel> waiting = new ArrayList<>();
        for (DecodedLabel l : pending.get()) {
            waiting.add(l);
        }
        if (!waiting.isEmpty()) {
            DecodedLabel latest = waiting.get(waiting.size() - 1);
            out.collect(example(v, latest.label.getLabel(), latest.label.getLabelTime()));
            joined.inc();
            duplicates.inc(waiting.size() - 1);
            labeled.update(true);
            pending.clear();
            Long waitTimer = pendingUntil.value();
            pendingUntil.clear();
            deleteTimer(timers, waitTimer);
        } else if (implicitNegativeAfterMs > 0) {
            long at = now + implicitNegativeAfterMs;
            implicitNegativeAt.update(at);
            timers.registerProcessingTimeTimer(at);
        }
    }

    @Override
    public void processElement2(DecodedLabel l, Context ctx, Collector<TrainingExample> out) throws Exception {
        TimerService timers = ctx.timerService();
        FeatureVector v = vector.value();
        if (v != null) {
            if (Boolean.TRUE.equals(labeled.value())) {
                duplicates.inc();
            } else {
                joined.inc();
                labeled.update(true);
                Long implicitAt = implicitNegativeAt.value();
                if (implicitAt != null) {
                    implicitNegativeAt.clear();
                    deleteTimer(timers, implicitAt);
                } else if (implicitNegativeAfterMs > 0) {
                    // Its implicit negative was emitted already: this example corrects it.
                    late.inc();
                }
            }
            out.collect(example(v, l.label.getLabel(), l.label.getLabelTime()));
            return;
        }
        pending.add(l);
        Long previous = pendingUntil.value();
        long until = timers.currentProcessingTime() + waitForFeaturesMs;
        pendingUntil.update(until);
        if (previous == null || previous != until) {
            deleteTimer(timers, previous);
            timers.registerProcessingTimeTimer(until);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TrainingExample> out) throws Exception {
        Long implicitAt = implicitNegativeAt.value();
        if (implicitAt != null && timestamp >= implicitAt) {
            implicitNegativeAt.clear();
            FeatureVector v = vector.value();
            if (v != null) {
                out.collect(example(v, 0, implicitAt));
                implicitNegatives.inc();
            }
        }
        Long expiry = expiresAt.value();
        if (expiry != null && timestamp >= expiry) {
            if (!Boolean.TRUE.equals(labeled.value())) {
                unlabeledExpired.inc();
            }
            vector.clear();
            expiresAt.clear();
            labeled.clear();
            Long stillDue = implicitNegativeAt.value();
            implicitNegativeAt.clear();
            deleteTimer(ctx.timerService(), stillDue);
        }
        Long until = pendingUntil.value();
        if (until != null && timestamp >= until) {
            for (DecodedLabel l : pending.get()) {
                String id = l.label.getEventId();
                ctx.output(UNMATCHED_LABELS, DeadLetters.of(l.topic, l.partition, l.offset, l.key, l.value,
                        UNMATCHED_LABEL, "label for unknown or expired event " + id + " (no feature vector within "
                                + waitForFeaturesMs + " ms of the label)"));
                unmatched.inc();
                LOG.debug("Label {} for unknown or expired event {} dead-lettered", l.where(), id);
            }
            pending.clear();
            pendingUntil.clear();
        }
    }

    /**
     * Deletes a timer unless another entry of this key's state still needs one at that time (Flink
     * keeps one timer per key and timestamp). Clear the entry the timer belonged to first.
     */
    private void deleteTimer(TimerService timers, Long time) throws Exception {
        if (time == null || time.equals(expiresAt.value()) || time.equals(implicitNegativeAt.value())
                || time.equals(pendingUntil.value())) {
            return;
        }
        timers.deleteProcessingTimeTimer(time);
    }

    private static TrainingExample example(FeatureVector v, int label, long labelTime) {
        return new TrainingExample(v.getEventId(), v.getEntityId(), v.getEventTime(), labelTime, v.getSpecHash(),
                v.getValues(), label, null);
    }

    @VisibleForTesting
    long joinedCount() {
        return joined.getCount();
    }

    @VisibleForTesting
    long duplicateCount() {
        return duplicates.getCount();
    }

    @VisibleForTesting
    long unmatchedCount() {
        return unmatched.getCount();
    }

    @VisibleForTesting
    long implicitNegativeCount() {
        return implicitNegatives.getCount();
    }

    @VisibleForTesting
    long unlabeledExpiredCount() {
        return unlabeledExpired.getCount();
    }
}
