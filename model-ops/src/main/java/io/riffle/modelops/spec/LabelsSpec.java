package io.riffle.modelops.spec;

import java.time.Duration;

/**
 * The {@code labels:} section: how a label names its event and carries its value, how long a
 * feature vector waits for it, and the implicit-negative rule: with {@code implicitNegativeAfter}
 * above zero, a vector still unlabelled after that long becomes a negative example (the
 * chargeback convention); {@link Duration#ZERO} turns the rule off.
 *
 * <p>With {@code fromNextEvent} set ({@code labels: {from-next-event: {field: item_id, within: 30m}}})
 * there is no labels topic at all: an event's label is the named field of its entity's next event,
 * if that comes within {@link NextEvent#within()} (event time); the topic settings then keep their
 * defaults and mean nothing.
 */
public record LabelsSpec(DataFormat format, String eventIdField, String labelField, Duration maxDelay,
                         Duration implicitNegativeAfter, NextEvent fromNextEvent) {

    /** The defaults of every setting: the label-join options ({@code LabelJoinOptions}) take theirs from here. */
    public static LabelsSpec defaults() {
        return new LabelsSpec(DataFormat.AVRO, "eventId", "label", Duration.ofHours(1), Duration.ZERO, null);
    }

    /** Labels from a labels topic, joined by event id (every pipeline file before from-next-event). */
    public LabelsSpec(DataFormat format, String eventIdField, String labelField, Duration maxDelay,
                      Duration implicitNegativeAfter) {
        this(format, eventIdField, labelField, maxDelay, implicitNegativeAfter, null);
    }

    /** Labels taken from the stream itself; the topic settings keep their defaults. */
    public static LabelsSpec fromNextEvent(NextEvent nextEvent) {
        LabelsSpec d = defaults();
        return new LabelsSpec(d.format(), d.eventIdField(), d.labelField(), d.maxDelay(), d.implicitNegativeAfter(),
                nextEvent);
    }

    public boolean implicitNegatives() {
        return !implicitNegativeAfter.isZero();
    }

    /** Whether labels come from each entity's next event rather than a labels topic. */
    public boolean nextEventLabels() {
        return fromNextEvent != null;
    }

    /**
     * {@code from-next-event}: the event field (of the event schema) whose value, on an entity's
     * next event, is the label of the event before it, and how much later (event time, inclusive)
     * that next event may come; an event with no next event within it (the last of a session) has
     * no label.
     */
    public record NextEvent(String field, Duration within) {}
}
