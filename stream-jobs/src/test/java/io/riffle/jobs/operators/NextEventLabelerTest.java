package io.riffle.jobs.operators;

import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.TrainingExample;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** Hand-computed cases of {@link NextEventLabeler} with {@code within} = 10 s, event times in ms. */
class NextEventLabelerTest {
    static final long WITHIN = 10_000;

    private final List<KeyedOneInputStreamOperatorTestHarness<String, FeatureVector, TrainingExample>> open = new ArrayList<>();
    private NextEventLabeler labeler;

    @AfterEach
    void closeHarnesses() throws Exception {
        for (var h : open) {
            h.close();
        }
    }

    static FeatureVector vector(String id, String entity, long eventTime, String labelValue) {
        return new FeatureVector(id, entity, eventTime, eventTime + 5, "spec-1", List.of((float) eventTime, 1f),
                labelValue);
    }

    private KeyedOneInputStreamOperatorTestHarness<String, FeatureVector, TrainingExample> started() throws Exception {
        labeler = new NextEventLabeler(Duration.ofMillis(WITHIN));
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(labeler),
                FeatureVector::getEntityId, Types.STRING);
        open.add(h);
        h.open();
        return h;
    }

    static void send(KeyedOneInputStreamOperatorTestHarness<String, FeatureVector, TrainingExample> h, FeatureVector v)
            throws Exception {
        h.processElement(v, v.getEventTime());
    }

    /** (event id, label class, label time) of every example so far. */
    static List<org.assertj.core.groups.Tuple> examples(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureVector, TrainingExample> h) {
        List<org.assertj.core.groups.Tuple> out = new ArrayList<>();
        for (TrainingExample e : h.extractOutputValues()) {
            assertThat(e.getLabel()).as("label of a class example").isEqualTo(-1);
            out.add(tuple(e.getEventId(), e.getLabelClass(), e.getLabelTime()));
        }
        return out;
    }

    static void assertAllCleared(KeyedOneInputStreamOperatorTestHarness<?, ?, ?> h) {
        assertThat(h.numKeyedStateEntries()).as("keyed state entries").isZero();
        assertThat(h.numEventTimeTimers()).as("event-time timers").isZero();
        assertThat(h.numProcessingTimeTimers()).as("processing-time timers").isZero();
    }

    @Test
    void inOrderEachVectorTakesTheNextEventsValue() throws Exception {
        var h = started();
        send(h, vector("a", "u", 1_000, "A"));
        send(h, vector("b", "u", 3_000, "B"));
        send(h, vector("c", "u", 5_000, "C"));
        h.processWatermark(5_000);
        assertThat(examples(h)).containsExactly(tuple("a", "B", 3_000L), tuple("b", "C", 5_000L));
        TrainingExample first = h.extractOutputValues().get(0);
        assertThat(first.getEntityId()).isEqualTo("u");
        assertThat(first.getEventTime()).isEqualTo(1_000L);
        assertThat(first.getValues()).containsExactly(1_000f, 1f);   // a's features, not b's
        assertThat(first.getSpecHash()).isEqualTo("spec-1");
        // c is the last event so far: it waits; a's and b's deadline timers are gone, c has one left.
        assertThat(h.numEventTimeTimers()).isEqualTo(1);
        assertThat(labeler.unlabelledCount()).isZero();

        h.processWatermark(14_999);   // c's deadline is 15 000: a next event at 15 000 would still label it
        assertThat(h.extractOutputValues()).hasSize(2);
        h.processWatermark(15_000);
        assertThat(h.extractOutputValues()).hasSize(2);
        assertThat(labeler.labelledCount()).isEqualTo(2);
        assertThat(labeler.unlabelledCount()).isEqualTo(1);
        assertAllCleared(h);
    }

    @Test
    void outOfOrderWithinTheBoundIsLabelledByEventTime() throws Exception {
        var h = started();
        send(h, vector("b", "u", 3_000, "B"));   // arrives first, happened second
        send(h, vector("a", "u", 1_000, "A"));
        h.processWatermark(1_500);
        assertThat(h.extractOutputValues()).as("an event between a and b may still come").isEmpty();
        send(h, vector("x", "u", 2_000, "X"));   // it does, within the bound
        h.processWatermark(2_999);
        assertThat(examples(h)).containsExactly(tuple("a", "X", 2_000L));
        h.processWatermark(3_000);
        assertThat(examples(h)).containsExactly(tuple("a", "X", 2_000L), tuple("x", "B", 3_000L));
        h.processWatermark(13_000);
        assertThat(labeler.labelledCount()).isEqualTo(2);
        assertThat(labeler.unlabelledCount()).isEqualTo(1);   // b, the last
        assertAllCleared(h);
    }

    @Test
    void aNextEventLaterThanWithinGivesNoLabelButIsLabelledItself() throws Exception {
        var h = started();
        send(h, vector("a", "u", 1_000, "A"));
        send(h, vector("b", "u", 1_000 + WITHIN + 1, "B"));        // one ms too late for a
        send(h, vector("c", "u", 1_000 + 2 * WITHIN + 1, "C"));    // exactly within after b: inclusive
        h.processWatermark(Long.MAX_VALUE);
        assertThat(examples(h)).containsExactly(tuple("b", "C", 21_001L));
        assertThat(labeler.labelledCount()).isEqualTo(1);
        assertThat(labeler.unlabelledCount()).isEqualTo(2);   // a (next too late) and c (last)
        assertAllCleared(h);
    }

    @Test
    void theLastEventOfASessionGetsNoLabelWhenItsTimerFires() throws Exception {
        var h = started();
        send(h, vector("a", "u", 1_000, "A"));
        h.processWatermark(10_999);
        assertThat(h.numKeyedStateEntries()).isEqualTo(1);
        assertThat(labeler.unlabelledCount()).isZero();
        h.processWatermark(11_000);
        assertThat(h.extractOutputValues()).isEmpty();
        assertThat(labeler.unlabelledCount()).isEqualTo(1);
        assertAllCleared(h);
        // A new session of the same entity starts afresh: nothing of the old one is left to label.
        send(h, vector("d", "u", 50_000, "D"));
        send(h, vector("e", "u", 51_000, "E"));
        h.processWatermark(Long.MAX_VALUE);
        assertThat(examples(h)).containsExactly(tuple("d", "E", 51_000L));
        assertAllCleared(h);
    }

    @Test
    void aVectorWithoutLabelValueNeitherGetsNorGivesALabel() throws Exception {
        var h = started();
        send(h, vector("a", "u", 1_000, "A"));
        send(h, vector("n", "u", 2_000, null));
        send(h, vector("b", "u", 3_000, "B"));
        h.processWatermark(Long.MAX_VALUE);
        assertThat(examples(h)).containsExactly(tuple("a", "B", 3_000L));
        assertThat(labeler.withoutLabelValueCount()).isEqualTo(1);
        assertThat(labeler.labelledCount() + labeler.unlabelledCount()).as("every vector accounted for").isEqualTo(3);
        assertAllCleared(h);
    }

    @Test
    void tiesInEventTimeAreOrderedByEventId() throws Exception {
        var h = started();
        send(h, vector("e-2", "u", 1_000, "TWO"));
        send(h, vector("e-3", "u", 2_000, "THREE"));
        send(h, vector("e-1", "u", 1_000, "ONE"));
        h.processWatermark(Long.MAX_VALUE);
        assertThat(examples(h)).containsExactly(tuple("e-1", "TWO", 1_000L), tuple("e-2", "THREE", 2_000L));
        assertAllCleared(h);
    }

    @Test
    void entitiesAreLabelledApart() throws Exception {
        var h = started();
        send(h, vector("a1", "u", 1_000, "A1"));
        send(h, vector("b1", "v", 1_500, "B1"));
        send(h, vector("a2", "u", 2_000, "A2"));
        send(h, vector("b2", "v", 2_500, "B2"));
        h.processWatermark(Long.MAX_VALUE);
        assertThat(examples(h)).containsExactlyInAnyOrder(tuple("a1", "A2", 2_000L), tuple("b1", "B2", 2_500L));
        assertThat(labeler.unlabelledCount()).isEqualTo(2);
        assertAllCleared(h);
    }

    @Test
    void lateAndRepeatedVectorsAreCountedAndDropped() throws Exception {
        var h = started();
        send(h, vector("a", "u", 1_000, "A"));
        send(h, vector("a", "u", 1_000, "A"));   // an at-least-once replay of the scorer
        h.processWatermark(4_000);
        send(h, vector("late", "u", 3_000, "L")); // behind the watermark
        send(h, vector("b", "u", 5_000, "B"));
        h.processWatermark(Long.MAX_VALUE);
        assertThat(examples(h)).containsExactly(tuple("a", "B", 5_000L));
        assertThat(labeler.duplicateCount()).isEqualTo(1);
        assertThat(labeler.lateCount()).isEqualTo(1);
        assertThat(labeler.labelledCount() + labeler.unlabelledCount()).isEqualTo(4);
        assertAllCleared(h);
    }

    @Test
    void waitingVectorsSurviveARestore() throws Exception {
        var h = started();
        send(h, vector("a", "u", 1_000, "A"));
        send(h, vector("b", "u", 3_000, "B"));
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();
        open.remove(h);

        var restored = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new NextEventLabeler(Duration.ofMillis(WITHIN))),
                FeatureVector::getEntityId, Types.STRING);
        open.add(restored);
        restored.initializeState(snapshot);
        restored.open();
        restored.processWatermark(Long.MAX_VALUE);
        assertThat(examples(restored)).containsExactly(tuple("a", "B", 3_000L));
        assertAllCleared(restored);
    }

    @Test
    void withinMustBePositive() {
        assertThatThrownBy(() -> new NextEventLabeler(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
