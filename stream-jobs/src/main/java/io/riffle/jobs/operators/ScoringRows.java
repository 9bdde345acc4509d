package io.riffle.jobs.operators;

import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.FeatureVector;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;

import java.io.Serializable;
import java.time.Duration;

/**
 * How a {@link BatchingScorer} turns each record of its first input into a row of its batch: the
 * feature values written straight into the batch's input buffer, and the row's identity.
 * {@link FeatureVectorRows} copies a computed {@link FeatureVector}; {@link SpecFeatureRows}
 * computes a pipeline's features from the event itself, in keyed state, so the scoring job needs
 * no separate feature operator, shuffle and (de)serialization of every vector in between.
 *
 * @param <IN> the scorer's first input
 */
public interface ScoringRows<IN> extends Serializable {

    /**
     * Once per operator instance, when it opens.
     *
     * @param keyed the keyed state backend when the input is keyed (keyed state is then available
     *              through {@code context}), or null
     */
    default void open(StreamingRuntimeContext context, MetricGroup metrics, KeyedStateBackend<?> keyed) throws Exception {}

    /** How often the scorer calls {@link #sweep} (processing time), or null for never. */
    default Duration sweepEvery() {
        return null;
    }

    /** Upkeep of the rows' keyed state on the task thread, e.g. dropping expired entities. */
    default void sweep(long now) throws Exception {}

    /**
     * Writes {@code in}'s features into {@code out[offset, offset + featureCount)} and its identity
     * into {@code row}.
     *
     * @return null, or the dead letter of a record whose features cannot be computed (nothing
     *         else changed)
     */
    DeadLetter fill(IN in, float[] out, int offset, Identity row) throws Exception;

    /**
     * How many records the scorer takes at a time to first {@link #lookUp} and {@link #warm} what
     * {@link #fill} reads for each of them, and only then fill them in order; 0 to fill each record
     * as it arrives. A fill that starts on state far from the CPU stalls on each cache miss in turn,
     * where reading one word of each cache line of a whole chunk lets the misses overlap. Only worth
     * it when the state lives on the heap as objects; the input must be keyed.
     */
    default int warmChunk() {
        return 0;
    }

    /**
     * With a record's key current: what {@link #fill} will read of its entity (e.g. the entity's
     * state), or null. Changes nothing a fill could tell apart, and never throws on a record.
     */
    default Object lookUp() throws Exception {
        return null;
    }

    /** Reads a word of each cache line of what {@link #lookUp} returned (null allowed); the sum means nothing. */
    default long warm(Object lookedUp) {
        return 0;
    }

    /** Whether the scorer emits each row as a {@link FeatureVector} on {@link BatchingScorer#FEATURES}. */
    default boolean emitsFeatures() {
        return false;
    }

    /** {@code in} itself when it is already a {@link FeatureVector} (kept as is while waiting for models). */
    default FeatureVector asVector(IN in) {
        return null;
    }

    /** Who a row is: what a {@code Score} and a {@code FeatureVector} carry besides the values. */
    final class Identity {
        public String eventId;
        public String entityId;
        public long eventTime;
        public long ingestTime;
        public String specHash;
        /** The event's labels.from-next-event field as text ({@code FeatureVector.labelValue}), or null. */
        public String labelValue;
    }
}
