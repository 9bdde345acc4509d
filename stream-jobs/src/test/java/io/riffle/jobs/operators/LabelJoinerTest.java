package io.riffle.jobs.operators;

import io.riffle.jobs.serde.DecodedLabel;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.Label;
import io.riffle.schemas.TrainingExample;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class LabelJoinerTest {
    static final long MAX_DELAY = Duration.ofHours(1).toMillis();
    static final long WAIT = Duration.ofMinutes(1).toMillis();
    static final long IMPLICIT = Duration.ofMinutes(10).toMillis();

    private final List<KeyedTwoInputStreamOperatorTestHarness<String, FeatureVector, DecodedLabel, TrainingExample>> open =
            new ArrayList<>();

    @AfterEach
    void closeHarnesses() throws Exception {
        for (var h : open) {
            h.close();
        }
    }

    static FeatureVector vector(String id) {
        return new FeatureVector(id, "card-" + id, 1_000L, 1_005L, "spec-1", List.of(1f, 2f, 3f), null);
    }

    static DecodedLabel label(String id, int label, long labelTime, long offset) {
        return DecodedLabel.of(new Label(id, label, labelTime, null), "riffle.labels", 3, offset,
                id.getBytes(StandardCharsets.UTF_8), ("label-of-" + id).getBytes(StandardCharsets.UTF_8));
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, FeatureVector, DecodedLabel, TrainingExample> harness(
            LabelJoiner joiner) throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(joiner),
                FeatureVector::getEventId, (DecodedLabel l) -> l.label.getEventId(), Types.STRING);
        open.add(h);
        h.setProcessingTime(0);
        return h;
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, FeatureVector, DecodedLabel, TrainingExample> started(
            LabelJoiner joiner) throws Exception {
        var h = harness(joiner);
        h.open();
        return h;
    }

    static LabelJoiner joiner() {
        return new LabelJoiner(Duration.ofMillis(MAX_DELAY), Duration.ofMillis(WAIT), Duration.ZERO);
    }

    static LabelJoiner withImplicitNegatives() {
        return new LabelJoiner(Duration.ofMillis(MAX_DELAY), Duration.ofMillis(WAIT), Duration.ofMillis(IMPLICIT));
    }

    static List<DeadLetter> deadLetters(KeyedTwoInputStreamOperatorTestHarness<?, ?, ?, ?> h) {
        var queue = h.getSideOutput(LabelJoiner.UNMATCHED_LABELS);
        return queue == null ? List.of() : queue.stream().map(StreamRecord::getValue).toList();
    }

    static void assertAllCleared(KeyedTwoInputStreamOperatorTestHarness<?, ?, ?, ?> h) {
        assertThat(h.numKeyedStateEntries()).as("keyed state entries").isZero();
        assertThat(h.numProcessingTimeTimers()).as("processing-time timers").isZero();
        assertThat(h.numEventTimeTimers()).as("event-time timers").isZero();
    }

    @Test
    void vectorThenLabelEmitsTheExample() throws Exception {
        LabelJoiner joiner = joiner();
        var h = started(joiner);
        h.processElement1(vector("e1"), 1_000);
        assertThat(h.extractOutputValues()).isEmpty();
        h.setProcessingTime(5_000);
        h.processElement2(label("e1", 1, 9_000, 0), 9_000);

        assertThat(h.extractOutputValues()).containsExactly(
                new TrainingExample("e1", "card-e1", 1_000L, 9_000L, "spec-1", List.of(1f, 2f, 3f), 1, null));
        assertThat(joiner.joinedCount()).isEqualTo(1);
        assertThat(joiner.duplicateCount()).isZero();
        assertThat(deadLetters(h)).isEmpty();
    }

    @Test
    void labelThenVectorEmitsOnceTheVectorArrives() throws Exception {
        LabelJoiner joiner = joiner();
        var h = started(joiner);
        h.processElement2(label("e1", 1, 9_000, 0), 9_000);
        h.setProcessingTime(WAIT - 1);
        assertThat(h.extractOutputValues()).isEmpty();
        h.processElement1(vector("e1"), 1_000);

        assertThat(h.extractOutputValues()).extracting(TrainingExample::getEventId, TrainingExample::getLabel)
                .containsExactly(tuple("e1", 1));
        // The wait timer is gone with the pending label: only the vector's expiry remains.
        assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
        h.setProcessingTime(WAIT + 10);
        assertThat(deadLetters(h)).isEmpty();
        assertThat(joiner.joinedCount()).isEqualTo(1);
        assertThat(joiner.unmatchedCount()).isZero();
    }

    @Test
    void aDuplicateLabelEmitsAnUpdatedExampleAndIsCounted() throws Exception {
        LabelJoiner joiner = joiner();
        var h = started(joiner);
        h.processElement1(vector("e1"), 1_000);
        h.processElement2(label("e1", 0, 5_000, 0), 5_000);
        h.processElement2(label("e1", 1, 7_000, 1), 7_000);

        assertThat(h.extractOutputValues()).extracting(TrainingExample::getLabel, TrainingExample::getLabelTime)
                .containsExactly(tuple(0, 5_000L),
                        tuple(1, 7_000L));
        assertThat(joiner.joinedCount()).isEqualTo(1);
        assertThat(joiner.duplicateCount()).isEqualTo(1);
    }

    @Test
    void labelsWaitingTogetherJoinOnlyTheLatest() throws Exception {
        LabelJoiner joiner = joiner();
        var h = started(joiner);
        h.processElement2(label("e1", 1, 5_000, 0), 5_000);
        h.setProcessingTime(100);
        h.processElement2(label("e1", 0, 7_000, 1), 7_000);
        h.processElement1(vector("e1"), 1_000);

        assertThat(h.extractOutputValues()).extracting(TrainingExample::getLabel).containsExactly(0);
        assertThat(joiner.joinedCount()).isEqualTo(1);
        assertThat(joiner.duplicateCount()).isEqualTo(1);
    }

    @Test
    void anUnknownLabelIsDeadLetteredAfterTheWaitNamingItsRecord() throws Exception {
        LabelJoiner joiner = joiner();
        var h = started(joiner);
        h.processElement2(label("nope", 1, 5_000, 42), 5_000);
        h.setProcessingTime(WAIT - 1);
        assertThat(deadLetters(h)).isEmpty();
        h.setProcessingTime(WAIT);

        assertThat(h.extractOutputValues()).isEmpty();
        List<DeadLetter> dead = deadLetters(h);
        assertThat(dead).hasSize(1);
        DeadLetter d = dead.get(0);
        assertThat(d.getSourceTopic()).isEqualTo("riffle.labels");
        assertThat(d.getPartition()).isEqualTo(3);
        assertThat(d.getOffset()).isEqualTo(42L);
        assertThat(d.getErrorClass()).isEqualTo(LabelJoiner.UNMATCHED_LABEL);
        assertThat(d.getErrorMessage()).startsWith("label for unknown or expired event nope")
                .contains("riffle.labels/3@42");
        assertThat(StandardCharsets.UTF_8.decode(d.getValue()).toString()).isEqualTo("label-of-nope");
        assertThat(StandardCharsets.UTF_8.decode(d.getKey()).toString()).isEqualTo("nope");
        assertThat(joiner.unmatchedCount()).isEqualTo(1);
        assertAllCleared(h);
    }

    @Test
    void everyWaitingLabelOfAnUnknownEventIsDeadLetteredAfterTheLatestOnesWait() throws Exception {
        LabelJoiner joiner = joiner();
        var h = started(joiner);
        h.processElement2(label("nope", 1, 5_000, 1), 5_000);
        h.setProcessingTime(WAIT / 2);
        h.processElement2(label("nope", 0, 6_000, 2), 6_000);
        h.setProcessingTime(WAIT);
        assertThat(deadLetters(h)).isEmpty();
        assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
        h.setProcessingTime(WAIT / 2 + WAIT);

        assertThat(deadLetters(h)).extracting(DeadLetter::getOffset).containsExactly(1L, 2L);
        assertThat(joiner.unmatchedCount()).isEqualTo(2);
        assertThat(joiner.duplicateCount()).isZero();
        assertAllCleared(h);
    }

    @Test
    void aVectorWithoutLabelExpiresSilentlyAndALaterLabelIsUnmatched() throws Exception {
        LabelJoiner joiner = joiner();
        var h = started(joiner);
        h.processElement1(vector("e1"), 1_000);
        assertThat(h.numKeyedStateEntries()).isEqualTo(2);   // vector + its expiry time
        h.setProcessingTime(MAX_DELAY - 1);
        assertThat(h.numKeyedStateEntries()).isEqualTo(2);
        h.setProcessingTime(MAX_DELAY);

        assertThat(h.extractOutputValues()).isEmpty();
        assertThat(deadLetters(h)).isEmpty();
        assertThat(joiner.unlabeledExpiredCount()).isEqualTo(1);
        assertAllCleared(h);

        // The label comes too late: the event is expired, so it is unmatched after the wait.
        h.processElement2(label("e1", 1, 9_000, 7), 9_000);
        h.setProcessingTime(MAX_DELAY + WAIT);
        assertThat(h.extractOutputValues()).isEmpty();
        assertThat(deadLetters(h)).extracting(DeadLetter::getErrorMessage)
                .singleElement().asString().startsWith("label for unknown or expired event e1");
        assertThat(joiner.unmatchedCount()).isEqualTo(1);
        assertAllCleared(h);
    }

    @Test
    void aJoinedEventKeepsAcceptingCorrectionsUntilMaxDelayThenClearsEverything() throws Exception {
        LabelJoiner joiner = joiner();
        var h = started(joiner);
        h.processElement2(label("e1", 1, 5_000, 0), 5_000);
        h.processElement1(vector("e1"), 1_000);
        h.processElement1(vector("e2"), 1_000);
        h.processElement2(label("e2", 0, 5_000, 1), 5_000);
        h.setProcessingTime(MAX_DELAY - 1);
        h.processElement2(label("e2", 1, 6_000, 2), 6_000);   // a correction in time
        h.setProcessingTime(MAX_DELAY);

        assertThat(h.extractOutputValues()).extracting(TrainingExample::getEventId, TrainingExample::getLabel)
                .containsExactly(tuple("e1", 1),
                        tuple("e2", 0), tuple("e2", 1));
        assertThat(joiner.unlabeledExpiredCount()).isZero();
        assertAllCleared(h);
    }

    @Test
    void anUnlabeledVectorBecomesAnImplicitNegativeThatALateRealLabelCorrects() throws Exception {
        LabelJoiner joiner = withImplicitNegatives();
        var h = started(joiner);
        h.processElement1(vector("e1"), 1_000);
        h.setProcessingTime(IMPLICIT - 1);
        assertThat(h.extractOutputValues()).isEmpty();
        h.setProcessingTime(IMPLICIT);
        assertThat(h.extractOutputValues()).containsExactly(
                new TrainingExample("e1", "card-e1", 1_000L, IMPLICIT, "spec-1", List.of(1f, 2f, 3f), 0, null));
        assertThat(joiner.implicitNegativeCount()).isEqualTo(1);

        h.setProcessingTime(2 * IMPLICIT);
        h.processElement2(label("e1", 1, 50_000_000L, 3), 50_000_000L);
        assertThat(h.extractOutputValues()).extracting(TrainingExample::getLabel, TrainingExample::getLabelTime)
                .containsExactly(tuple(0, IMPLICIT),
                        tuple(1, 50_000_000L));
        assertThat(joiner.joinedCount()).isEqualTo(1);
        assertThat(joiner.duplicateCount()).isZero();

        h.setProcessingTime(MAX_DELAY);
        assertThat(h.extractOutputValues()).hasSize(2);
        assertAllCleared(h);
    }

    @Test
    void aLabelBeforeTheImplicitNegativeCancelsIt() throws Exception {
        LabelJoiner joiner = withImplicitNegatives();
        var h = started(joiner);
        h.processElement1(vector("e1"), 1_000);
        assertThat(h.numProcessingTimeTimers()).isEqualTo(2);   // expiry + implicit negative
        h.processElement2(label("e1", 1, 5_000, 0), 5_000);
        assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
        h.setProcessingTime(MAX_DELAY);

        assertThat(h.extractOutputValues()).extracting(TrainingExample::getLabel).containsExactly(1);
        assertThat(joiner.implicitNegativeCount()).isZero();
        assertAllCleared(h);
    }

    @Test
    void anImplicitNegativeVectorStillExpiresAndClearsItsState() throws Exception {
        LabelJoiner joiner = withImplicitNegatives();
        var h = started(joiner);
        h.processElement1(vector("e1"), 1_000);
        h.setProcessingTime(MAX_DELAY);
        assertThat(h.extractOutputValues()).extracting(TrainingExample::getLabel).containsExactly(0);
        assertThat(joiner.unlabeledExpiredCount()).isEqualTo(1);
        assertAllCleared(h);
    }

    @Test
    void aRepeatedVectorKeepsTheFirstAndItsDeadline() throws Exception {
        var h = started(joiner());
        h.processElement1(vector("e1"), 1_000);
        h.setProcessingTime(MAX_DELAY / 2);
        FeatureVector again = vector("e1");
        again.setSpecHash("other");
        h.processElement1(again, 1_000);
        h.processElement2(label("e1", 1, 5_000, 0), 5_000);
        assertThat(h.extractOutputValues()).extracting(TrainingExample::getSpecHash).containsExactly("spec-1");
        h.setProcessingTime(MAX_DELAY);
        assertAllCleared(h);
    }

    @Test
    void waitingLabelsAndVectorsSurviveASnapshotAndRestore() throws Exception {
        var h = started(joiner());
        h.processElement2(label("e1", 1, 5_000, 0), 5_000);
        h.processElement1(vector("e2"), 1_000);
        OperatorSubtaskState snapshot = h.snapshot(1L, 10L);
        h.close();
        open.remove(h);

        LabelJoiner restoredJoiner = joiner();
        var restored = harness(restoredJoiner);
        restored.initializeState(snapshot);
        restored.open();
        restored.processElement1(vector("e1"), 1_000);
        restored.processElement2(label("e2", 0, 6_000, 1), 6_000);
        assertThat(restored.extractOutputValues()).extracting(TrainingExample::getEventId, TrainingExample::getLabel)
                .containsExactly(tuple("e1", 1),
                        tuple("e2", 0));
        restored.setProcessingTime(MAX_DELAY);
        assertAllCleared(restored);
    }

    @Test
    void rejectsAnImplicitNegativeDelayNotBelowTheMaxDelay() {
        assertThatThrownBy(() -> new LabelJoiner(Duration.ofMinutes(10),
                        Duration.ofMinutes(1), Duration.ofMinutes(10)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
