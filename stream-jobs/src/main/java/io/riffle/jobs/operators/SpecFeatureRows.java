package io.riffle.jobs.operators;

import io.riffle.jobs.serde.DeadLetters;
import io.riffle.jobs.serde.DecodedRecord;
import io.riffle.modelops.features.DuplicateEvents;
import io.riffle.modelops.features.EntityFeatureState;
import io.riffle.modelops.features.FeatureExtractionException;
import io.riffle.modelops.features.FeatureExtractor;
import io.riffle.modelops.privacy.Pseudonymizer;
import io.riffle.modelops.spec.AggregateFeature;
import io.riffle.modelops.spec.DataFormat;
import io.riffle.modelops.spec.EventsSpec;
import io.riffle.modelops.spec.FeatureSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.DeadLetter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Computes a pipeline's feature vector for each event inside the scorer, whose first input is
 * keyed by the spec's entity key: the entity's windowed aggregates live in one
 * {@link EntityFeatureState} per key (holding only the buckets the entity has used, and written
 * as it is by {@link EntityFeatureStateSerializer}, so the heap, RocksDB and checkpoints hold a few
 * hundred bytes for an entity with a few events, without Kryo), expiring {@code stateTtl} after the
 * entity's last event (see {@link #sweep}); the arithmetic is the Flink-free {@link FeatureExtractor}'s,
 * so tests and the benchmarks' naive scorer compute the same numbers outside Flink. The values go
 * straight into the scorer's batch; each row is also emitted as a {@code FeatureVector} for the
 * features topic when the job writes one, and those vectors are what the trainer trains on (after
 * the label join), so it learns from exactly what the scorer saw. An event whose features
 * cannot be computed becomes a dead letter naming the field and the event (with the event
 * re-encoded and its entity as key), and the entity's state is left as it was; so does an event
 * whose id the entity already had within the pipeline's duplicate window ({@link DuplicateEvents}).
 * Nothing here throws on a user's record: a record that failed the task would be replayed after
 * every restart.
 *
 * <p>With a {@code privacy:} section ({@link Pseudonymizer}) the features are still computed from
 * the clear event, and then the row's entity id becomes its token: scores, alerts (keyed by it)
 * and feature vectors all take the entity id from the row, so none carries the clear one. A dead
 * letter carries the key's token, a copy of the event with the entity key and each PII field
 * replaced by its token, and a message whose clear values of those fields are replaced by tokens.
 */
public final class SpecFeatureRows implements ScoringRows<DecodedRecord> {
    private static final long serialVersionUID = 1L;

    /** Beyond the longest window and the lateness: processing time runs ahead of event time under backlog too. */
    static final Duration TTL_MARGIN = Duration.ofMinutes(1);

    private final FeatureExtractor extractor;
    private final Duration stateTtl;
    private final DataFormat format;
    private final boolean emitsFeatures;
    /** Null when duplicates are not looked for. */
    private final DuplicateEvents duplicates;
    /** Null when nothing is hashed. */
    private final Pseudonymizer privacy;
    /** labels.from-next-event's field, copied into each vector's labelValue; null when labels come from a topic. */
    private final String labelValueField;

    /**
     * Records the scorer warms together by default: 128 states of a few KB stay within a core's L2
     * cache until they are filled. Measured in {@code EntityStateBenchmark.batch} against one event
     * at a time.
     */
    public static final int DEFAULT_WARM_CHUNK = 128;

    private int warmChunk = DEFAULT_WARM_CHUNK;

    /** The current entity's windowed aggregates. */
    private transient ValueState<EntityFeatureState> state;
    private transient ValueStateDescriptor<EntityFeatureState> descriptor;
    private transient KeyedStateBackend<Object> keyed;
    /**
     * Whether the backend hands out the very object it holds (Flink's heap backend, whose
     * copy-on-write gives the scorer its own copy while a snapshot is running): a changed state it
     * already held need not be put back, which was a second lookup per event. Any other backend
     * (RocksDB, the changelog's wrapper, which logs each update) gets every change through update().
     */
    private transient boolean changesInPlace;
    private transient ProcessingTimeService clock;
    private transient long ttlMs;
    private transient Counter expired;
    private transient String specHash;
    private transient long lateSeen;
    private transient long notAggregatedSeen;
    private transient Counter lateEvents;
    private transient Counter eventsNotAggregated;
    private transient Counter extractionErrors;
    private transient Counter duplicateEvents;
    private transient Counter missingLabelValues;

    /**
     * @param stateTtl      how long an entity's state outlives its last event (see {@link #stateTtl(PipelineSpec)})
     * @param format        the events topic's format: a dead letter carries the event re-encoded in it
     * @param emitsFeatures whether each row is also emitted as a feature vector (for the features topic)
     * @param duplicates    how events seen again are found, or null to score every event
     * @param privacy       what leaves the scorer hashed, or null for nothing
     * @param labelValueField the event field each vector carries as its labelValue (labels.from-next-event), or null
     */
    public SpecFeatureRows(FeatureExtractor extractor, Duration stateTtl, DataFormat format, boolean emitsFeatures,
                           DuplicateEvents duplicates, Pseudonymizer privacy, String labelValueField) {
        this.privacy = privacy;
        this.labelValueField = labelValueField;
        this.extractor = extractor;
        this.stateTtl = stateTtl;
        this.format = format;
        this.emitsFeatures = emitsFeatures;
        this.duplicates = duplicates;
    }

    public static SpecFeatureRows of(PipelineSpec spec, boolean emitsFeatures) {
        EventsSpec.Duplicates d = spec.events().duplicates();
        return new SpecFeatureRows(FeatureExtractor.of(spec), stateTtl(spec), spec.events().format(), emitsFeatures,
                d.checked() && spec.events().idField() != null
                        ? new DuplicateEvents(d.within(), DuplicateEvents.DEFAULT_CAPACITY) : null,
                Pseudonymizer.of(spec),
                spec.labels() != null && spec.labels().nextEventLabels() ? spec.labels().fromNextEvent().field() : null);
    }

    /**
     * The longest span any feature looks back over (the longest window, count_by's included, or a
     * time-since-previous cap or the session gap if longer) plus the allowed lateness plus one bucket width and {@link #TTL_MARGIN}: an
     * entity silent for longer has nothing left in its windows, so its state can go.
     */
    public static Duration stateTtl(PipelineSpec spec) {
        FeatureSpec features = spec.features();
        Duration longest = Duration.ZERO;
        for (Duration w : features.stateWindows()) {
            longest = w.compareTo(longest) > 0 ? w : longest;
        }
        Duration bucket = Duration.ofMillis(-Math.floorDiv(-longest.toMillis(), Math.max(1, features.buckets())));
        for (AggregateFeature a : features.aggregates()) {
            if (a.function() == AggregateFeature.Function.TIME_SINCE_PREVIOUS && a.cap() != null
                    && a.cap().compareTo(longest) > 0) {
                longest = a.cap();
            }
        }
        // a session lasts while its events are at most the gap apart: state silent for longer holds no live session
        Duration gap = features.sessionGap();
        if (gap != null && gap.compareTo(longest) > 0) {
            longest = gap;
        }
        return longest.plus(spec.events().allowedLateness()).plus(bucket).plus(TTL_MARGIN);
    }

    /** The per-entity state (expired by the rows' own sweep, {@link #sweep}, not Flink's state TTL). */
    public static ValueStateDescriptor<EntityFeatureState> stateDescriptor() {
        return new ValueStateDescriptor<>("entity-features", EntityFeatureStateSerializer.INSTANCE);
    }

    @Override
    public boolean emitsFeatures() {
        return emitsFeatures;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open(StreamingRuntimeContext context, MetricGroup metrics, KeyedStateBackend<?> keyed) {
        if (keyed == null) {
            throw new IllegalStateException("pipeline features need the scorer's input keyed by the entity key");
        }
        this.keyed = (KeyedStateBackend<Object>) keyed;
        changesInPlace = keyed instanceof HeapKeyedStateBackend;
        clock = context.getProcessingTimeService();
        ttlMs = stateTtl.toMillis();
        descriptor = stateDescriptor();
        state = context.getState(descriptor);
        expired = metrics.counter("expiredEntities");
        specHash = extractor.spec().hash();
        lateEvents = metrics.counter("lateEvents");
        eventsNotAggregated = metrics.counter("eventsNotAggregated");
        extractionErrors = metrics.counter("featureExtractionErrors");
        duplicateEvents = metrics.counter("duplicateEvents");
        missingLabelValues = metrics.counter("missingLabelValues");
        lateSeen = extractor.lateEvents();
        notAggregatedSeen = extractor.eventsNotAggregated();
    }

    /**
     * Sets {@link #warmChunk()} on the heap backend (elsewhere it is 0); {@link #DEFAULT_WARM_CHUNK} unless set.
     *
     * @return this
     */
    public SpecFeatureRows warmChunk(int records) {
        if (records < 0) {
            throw new IllegalArgumentException("riffle.scoring.warm-chunk must be 0 or more, was " + records);
        }
        warmChunk = records;
        return this;
    }

    /**
     * On the heap backend only: there a state is an object to warm, and a second lookup (the
     * fill's own) finds everything in the cache. On RocksDB a lookup reads and deserializes.
     */
    @Override
    public int warmChunk() {
        return changesInPlace ? warmChunk : 0;
    }

    @Override
    public Object lookUp() throws Exception {
        return state.value();
    }

    @Override
    public long warm(Object lookedUp) {
        return lookedUp instanceof EntityFeatureState s ? s.warm() : 0;
    }

    @Override
    public DeadLetter fill(DecodedRecord in, float[] out, int offset, Identity row) throws Exception {
        long now = clock.getCurrentProcessingTime();
        EntityFeatureState s = state.value();
        boolean held = s != null && now - s.touchedAt < ttlMs;
        if (!held) {
            // (an expired state that no sweep has removed yet is never read)
            s = extractor.newState();
        }
        Object id = extractor.eventId(in.record);
        long idHash = 0;
        if (duplicates != null && id != null) {
            idHash = DuplicateEvents.hash(id);
            if (duplicates.seen(s, idHash)) {
                duplicateEvents.inc();
                return deadLetter(in, "io.riffle.jobs.DuplicateEvent", "duplicate event id: "
                        + extractor.idField() + "=" + id + " was already scored for " + extractor.spec().entityKey()
                        + "=" + in.key + " (events.duplicates.within; 'then: score' scores duplicates again)");
            }
        }
        try {
            extractor.extract(in.record, in.eventTime, s, out, offset);
        } catch (FeatureExtractionException e) {
            extractionErrors.inc();
            return deadLetter(in, e.getClass().getName(), e.getMessage());
        } catch (RuntimeException e) {
            // Not a case the extractor knows to name, but still this record's alone (the extractor
            // reads every input before it touches the state): a dead letter, never a task failure.
            extractionErrors.inc();
            return deadLetter(in, e.getClass().getName(), "features of event " + id + " could not be computed: " + e);
        }
        if (duplicates != null && id != null) {
            duplicates.remember(s, idHash, in.eventTime);
        }
        s.touchedAt = now;
        if (!held || !changesInPlace) {
            state.update(s);
        }
        countExtractorEvents();
        row.eventId = id != null ? id.toString() : in.topic + "/" + in.partition + "@" + in.offset;
        // (after the features: they are computed from the clear values)
        row.entityId = privacy == null ? in.key : privacy.token(in.key);
        row.eventTime = in.eventTime;
        row.ingestTime = in.ingestTime;
        row.specHash = specHash;
        row.labelValue = labelValueField == null ? null : labelValue(in.record);
        return null;
    }

    /**
     * The labels.from-next-event field as text (its token when it is PII, like every value that
     * leaves the scorer); null, counted, when the event has no value there: that vector then simply
     * gets and gives no label downstream. Never throws.
     */
    private String labelValue(GenericRecord record) {
        Object value;
        try {
            value = record.get(labelValueField);
        } catch (RuntimeException e) {
            value = null;
        }
        if (value == null) {
            missingLabelValues.inc();
            return null;
        }
        String text = value.toString();
        return privacy != null && privacy.fields().contains(labelValueField) ? privacy.token(text) : text;
    }

    private DeadLetter deadLetter(DecodedRecord in, String errorClass, String message) {
        if (privacy != null) {
            byte[] key = in.key == null ? null : privacy.token(in.key).getBytes(StandardCharsets.UTF_8);
            return DeadLetters.of(in.topic == null ? "" : in.topic, in.partition, in.offset, key,
                    reencoded(privacy.pseudonymized(in.record, format == DataFormat.JSON)), errorClass,
                    privacy.scrub(message, in.record, in.key));
        }
        return DeadLetters.of(in.topic == null ? "" : in.topic, in.partition, in.offset,
                in.key == null ? null : in.key.getBytes(StandardCharsets.UTF_8), reencoded(in.record), errorClass,
                message);
    }

    /** A tenth of the TTL, between 1 s and 1 min. */
    @Override
    public Duration sweepEvery() {
        long tenth = stateTtl.toMillis() / 10;
        return Duration.ofMillis(Math.max(1_000, Math.min(60_000, tenth)));
    }

    /**
     * Expiry, instead of Flink's state TTL (whose wrapper, copies and per-access cleanup cost more
     * than the features themselves) or a timer per entity (checkpointed, key and all, with every
     * checkpoint): every {@link #sweepEvery()} the scorer's task thread visits each entity and
     * drops the state of those silent for the TTL. So a silent entity's state is gone between one
     * TTL and one TTL plus a sweep interval after its last event, an expired state is never read
     * ({@link #fill} starts such an entity afresh), and an event costs nothing extra.
     */
    @Override
    public void sweep(long now) throws Exception {
        keyed.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor,
                (key, entity) -> {
                    EntityFeatureState s = entity.value();
                    if (s != null && now - s.touchedAt >= ttlMs) {
                        entity.clear();
                        expired.inc();
                    }
                });
    }

    /**
     * The event as its topic carries it, for the dead letter (the Kafka bytes themselves are not
     * kept past decoding: that would double what every record costs in the keyed shuffle): Avro
     * single-object encoding with the pipeline's schema, or the record as a JSON object.
     */
    private byte[] reencoded(GenericRecord record) {
        try {
            if (format == DataFormat.JSON) {
                return GenericData.get().toString(record).getBytes(StandardCharsets.UTF_8);
            }
            return new BinaryMessageEncoder<GenericRecord>(GenericData.get(), record.getSchema()).encode(record).array();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The extractor's counters are per instance (one per subtask): report their growth as metrics. */
    private void countExtractorEvents() {
        long late = extractor.lateEvents();
        if (late != lateSeen) {
            lateEvents.inc(late - lateSeen);
            lateSeen = late;
        }
        long notAggregated = extractor.eventsNotAggregated();
        if (notAggregated != notAggregatedSeen) {
            eventsNotAggregated.inc(notAggregated - notAggregatedSeen);
            notAggregatedSeen = notAggregated;
        }
    }
}
