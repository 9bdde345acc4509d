package io.riffle.jobs.operators;

import io.riffle.jobs.serde.DeadLetters;
import io.riffle.modelops.decision.Decider;
import io.riffle.modelops.serving.LoadedModel;
import io.riffle.modelops.serving.Recommendations;
import io.riffle.modelops.serving.ScoreAssembler;
import io.riffle.modelops.serving.ScoreBatch;
import io.riffle.modelops.serving.ServingModels;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.modelops.validation.ModelRejectedException;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.Recommendation;
import io.riffle.schemas.ModelEventKind;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import io.riffle.schemas.serde.AvroClassAllowList;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Flink side of scoring: records of the first input become rows of a {@link ScoreBatch} (how
 * is the {@link ScoringRows}' business: {@link SpecFeatureRows} computes a pipeline's features
 * from the event in keyed state, the first input then keyed by entity), model versions arrive on
 * the second (broadcast) input. What is not Flink's lives in model-ops: validating and swapping
 * versions ({@link ServingModels}), scoring ({@link LoadedModel}), deciding ({@link Decider}) and
 * building each {@link Score} ({@link ScoreAssembler}). This operator keeps the state, the
 * batching, the timers, the watermarks and when a swap may happen.
 *
 * <p>Guarantees, each relied on by a test:
 * <ul>
 *   <li>A batch is scored when it holds {@code batchSize} records, when its first record has
 *       waited {@code maxDelayMs} (processing-time timer), before every checkpoint barrier
 *       ({@link #prepareSnapshotPreBarrier}), before a watermark is forwarded, and at end of
 *       input. One ONNX Runtime call per batch and model.</li>
 *   <li>A new model version is installed only between batches: the buffered batch is scored by
 *       the old versions first. A version that fails validation is rejected (a REJECTED
 *       {@link ModelEvent} with the reason) and the serving version stays.</li>
 *   <li>The serving {@link ModelVersion} per name lives in broadcast state, so a restored job
 *       serves the versions it served.</li>
 *   <li>A deciding model's output that is NaN or infinite never passes as ALLOW by accident: it
 *       decides {@link ScorerConfig#onModelFailure()} (REVIEW by default) with a reason code saying
 *       the model failed, and the score carries the value as it came. Every such output, deciding
 *       or not, counts in {@code riffleNonFiniteOutputs}.</li>
 *   <li>Records that arrive before the required models are loaded wait (and are checkpointed
 *       while they wait, watermarks held back behind them); beyond {@code maxWaiting} they
 *       become dead letters. Nothing is dropped.</li>
 * </ul>
 * The model input's watermarks are ignored: the models topic has no event time and must not
 * hold the scores' watermark back. Rows keep no reference to their input record (records that
 * wait for models are kept as feature vectors), so the upstream may reuse record objects; the one
 * exception, the records of a warm chunk ({@link ScoringRows#warmChunk()}) kept until it is
 * filled, applies only to a keyed first input, which reaches the operator through the network as
 * objects of their own.
 *
 * <p>With a warm chunk, a record's features are computed when its chunk is filled (a chunk is
 * full, the batch would be, or the batch is scored for any of the reasons above), not when it
 * arrives: the same features in the same order, its dead letter or feature vector emitted then.
 */
public final class BatchingScorer<IN> extends AbstractStreamOperator<Score>
        implements TwoInputStreamOperator<IN, ModelVersion, Score>, BoundedMultiInput {
    private static final long serialVersionUID = 1L;

    /** Every row as a feature vector, when the rows say so ({@link ScoringRows#emitsFeatures()}). */
    public static final OutputTag<FeatureVector> FEATURES =
            new OutputTag<>("scored-features", new AvroTypeInfo<>(FeatureVector.class));

    /** The top-k of every multiclass model per scored row ({@link Recommendations#of}). */
    public static final OutputTag<Recommendation> RECOMMENDATIONS =
            new OutputTag<>("recommendations", new AvroTypeInfo<>(Recommendation.class));

    public static final OutputTag<ModelEvent> MODEL_EVENTS =
            new OutputTag<>("model-events", new AvroTypeInfo<>(ModelEvent.class));
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("scorer-dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    /** Serving version per model name. */
    static final MapStateDescriptor<String, ModelVersion> SERVING_STATE = new MapStateDescriptor<>(
            "riffle-serving-models", BasicTypeInfo.STRING_TYPE_INFO, new AvroTypeInfo<>(ModelVersion.class));

    private final ScorerConfig config;
    private final ScoringRows<IN> rows;

    private transient BroadcastState<String, ModelVersion> servingState;
    private transient ServingModels models;
    private transient ScoreAssembler assembler;
    private transient ScoreBatch batch;
    private transient List<ModelEvent> restoreEvents;
    private transient ScoringRows.Identity identity;
    /** Values of a row that waits for models instead of joining the batch. */
    private transient float[] scratch;
    private transient long batchDeadline;

    private transient WaitingRecords waiting;
    private transient AvroSerde<FeatureVector> featureSerde;

    /**
     * Records of the first input not yet filled into the batch, when the rows warm their state
     * ({@link ScoringRows#warmChunk()}) and the models are ready: {@link #fillPending} fills them a
     * chunk at a time. They count towards the batch's size and deadline. The first input is then
     * keyed, so its records reach this operator through the network as objects of their own.
     */
    private transient Object[] pending;
    private transient long[] pendingTimestamps;
    private transient boolean[] pendingHasTimestamp;
    private transient Object[] lookedUp;
    private transient int pendingCount;
    private transient StreamRecord<IN> keyRecord;
    /** The warmed words' sum, kept so that the reads are not optimized away. */
    private transient long warmSum;

    private transient ScorerMetrics metrics;
    /** Size and delay of a batch on the device the models run on; recomputed after each swap. */
    private transient ScorerConfig.BatchLimits limits;

    public BatchingScorer(ScorerConfig config, ScoringRows<IN> rows) {
        this.config = config;
        this.rows = rows;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        // Before any Avro record is restored or received in this JVM (each task manager's own).
        AvroClassAllowList.allowRiffleRecords();
        super.initializeState(context);
        servingState = context.getOperatorStateStore().getBroadcastState(SERVING_STATE);
        models = new ServingModels(new ModelLoader(config.engine(), config.maxModelBytes(), config.modelPolicy()),
                config.featureCount(), config.specHash(), config.requiredModels(), config.batchCapacity(), config.topK());
        waiting = new WaitingRecords(config.maxWaiting());
        waiting.restore(context.getOperatorStateStore());
        restoreEvents = new ArrayList<>();
        for (Map.Entry<String, ModelVersion> e : servingState.entries()) {
            ModelVersion mv = e.getValue();
            try {
                LoadedModel model = models.load(mv);
                models.install(model);
                restoreEvents.add(event(mv, ModelEventKind.LOADED, "restored from checkpoint", model.device()));
            } catch (ModelRejectedException | RuntimeException ex) {
                // E.g. restored with trusted keys it was not signed with: the restore goes on without it.
                LOG.error("Model {} v{} from the checkpoint can no longer be served: {}", mv.getName(), mv.getVersion(),
                        ex.getMessage());
                restoreEvents.add(event(mv, ModelEventKind.REJECTED, ex.getMessage(), null));
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        batch = new ScoreBatch(config.batchCapacity(), config.featureCount());
        assembler = new ScoreAssembler(new Decider(config.onModelFailure()));
        identity = new ScoringRows.Identity();
        scratch = new float[config.featureCount()];
        metrics = new ScorerMetrics(getMetricGroup(), models, waiting::size);
        rows.open(getRuntimeContext(), getMetricGroup(), getKeyedStateBackend());
        // (after the rows opened: whether they warm depends on the state backend)
        int chunk = rows.warmChunk();
        if (chunk > 0 && hasKeyContext1()) {
            pending = new Object[chunk];
            pendingTimestamps = new long[chunk];
            pendingHasTimestamp = new boolean[chunk];
            lookedUp = new Object[chunk];
            keyRecord = new StreamRecord<>(null);
        }
        if (rows.sweepEvery() != null) {
            scheduleSweep();
        }
        for (ModelEvent e : restoreEvents) {
            emit(e);
        }
        restoreEvents.clear();
        if (models.ready()) {
            drainWaiting();
        }
    }

    /** The rows' periodic upkeep, on the task thread between records. */
    private void scheduleSweep() {
        long next = getProcessingTimeService().getCurrentProcessingTime() + rows.sweepEvery().toMillis();
        getProcessingTimeService().registerTimer(next, time -> {
            rows.sweep(getProcessingTimeService().getCurrentProcessingTime());
            scheduleSweep();
        });
    }

    @Override
    public void processElement1(StreamRecord<IN> element) throws Exception {
        // (once records are pending, the next ones queue behind them whatever the models' state)
        if (pending != null && (pendingCount > 0 || models.ready())) {
            defer(element);
            return;
        }
        if (row(element.getValue(), element.hasTimestamp(), element.getTimestamp())) {
            added();
        }
    }

    /** Keeps a record for {@link #fillPending}, which runs when a chunk is full or the batch would be. */
    @SuppressWarnings("unchecked")
    private void defer(StreamRecord<IN> element) throws Exception {
        pending[pendingCount] = element.getValue();
        pendingHasTimestamp[pendingCount] = element.hasTimestamp();
        pendingTimestamps[pendingCount] = element.getTimestamp();
        pendingCount++;
        if (batch.size() + pendingCount == 1) {
            startDeadline();
        }
        if (pendingCount == pending.length || batch.size() + pendingCount >= limits().size()) {
            fillPending();
            if (batch.size() >= limits().size()) {
                flush();
            }
        }
    }

    /**
     * Fills the pending records into the batch, in arrival order, each with its own key current:
     * first every record's state is looked up and warmed, then each is filled as
     * {@link #processElement1} would have. The key current before is current again after.
     */
    @SuppressWarnings("unchecked")
    private void fillPending() throws Exception {
        if (pendingCount == 0) {
            return;
        }
        Object key = getCurrentKey();
        int n = pendingCount;
        for (int i = 0; i < n; i++) {
            keyRecord.replace((IN) pending[i]);
            setKeyContextElement1(keyRecord);
            lookedUp[i] = rows.lookUp();
        }
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += rows.warm(lookedUp[i]);
            lookedUp[i] = null;
        }
        warmSum += sum;
        pendingCount = 0;
        for (int i = 0; i < n; i++) {
            IN value = (IN) pending[i];
            pending[i] = null;
            keyRecord.replace(value);
            setKeyContextElement1(keyRecord);
            row(value, pendingHasTimestamp[i], pendingTimestamps[i]);
        }
        keyRecord.replace(null);
        if (key != null) {
            setCurrentKey(key);
        }
    }

    /**
     * The record's features into the batch (or, before the models are ready, into a feature
     * vector that waits for them).
     *
     * @return whether the record joined the batch
     */
    private boolean row(IN value, boolean hasTimestamp, long timestamp) throws Exception {
        boolean ready = models.ready();
        float[] target = ready ? batch.values() : scratch;
        int offset = ready ? batch.nextOffset() : 0;
        DeadLetter failed = rows.fill(value, target, offset, identity);
        if (failed != null) {
            output.collect(DEAD_LETTERS, new StreamRecord<>(failed));
            metrics.deadLetters.inc();
            return false;
        }
        if (rows.emitsFeatures() || !ready) {
            FeatureVector fv = rows.asVector(value);
            if (fv == null) {
                fv = ScoreBatch.vector(identity.eventId, identity.entityId, identity.eventTime, identity.ingestTime,
                        identity.specHash, target, offset, config.featureCount());
                fv.setLabelValue(identity.labelValue);
            }
            if (rows.emitsFeatures()) {
                output.collect(FEATURES, hasTimestamp ? new StreamRecord<>(fv, timestamp) : new StreamRecord<>(fv));
            }
            if (!ready) {
                hold(fv, hasTimestamp, timestamp);
                return false;
            }
        }
        batch.add(identity.eventId, identity.entityId, identity.eventTime, identity.ingestTime, identity.specHash,
                hasTimestamp, timestamp);
        return true;
    }

    @Override
    public void processElement2(StreamRecord<ModelVersion> element) throws Exception {
        ModelVersion mv = element.getValue();
        if (!models.isNewer(mv)) {
            LOG.debug("Ignoring {} v{}: already serving v{}", mv.getName(), mv.getVersion(),
                    models.get(mv.getName()).versionNumber());
            return;
        }
        LoadedModel next;
        try {
            next = models.load(mv);
        } catch (ModelRejectedException e) {
            reject(mv, e.getMessage());
            return;
        } catch (RuntimeException e) {
            // A version nobody foresaw must not fail the task: it would be replayed after every restart.
            LOG.error("Loading model {} v{} failed unexpectedly", mv.getName(), mv.getVersion(), e);
            reject(mv, "model " + mv.getName() + " v" + mv.getVersion() + ": could not be validated: " + e);
            return;
        }
        // The buffered batch is scored entirely by the versions it arrived under.
        flush();
        models.install(next);
        limits = null;
        servingState.put(mv.getName(), mv);
        metrics.servingChanged();
        LOG.info("Serving model {} v{} on {}", mv.getName(), mv.getVersion(), next.device());
        emit(event(mv, ModelEventKind.LOADED, null, next.device()));
        if (models.ready()) {
            drainWaiting();
        }
    }

    private void reject(ModelVersion mv, String reason) {
        metrics.rejected.inc();
        LOG.warn("Rejected model {} v{}: {}", mv.getName(), mv.getVersion(), reason);
        emit(event(mv, ModelEventKind.REJECTED, reason, null));
    }

    private void emit(ModelEvent e) {
        output.collect(MODEL_EVENTS, new StreamRecord<>(e));
        metrics.modelEvent(e.getKind());
    }

    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        if (!waiting.isEmpty()) {
            waiting.holdWatermark(mark);
            return;
        }
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void processWatermark2(Watermark mark) {
        // The models stream has no event time: it must not hold the scores' watermark back.
    }

    @Override
    protected void processWatermarkStatus(WatermarkStatus status, int index) throws Exception {
        if (index == 0) {
            output.emitWatermarkStatus(status);
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        waiting.snapshot();
    }

    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId != 1) {
            return;
        }
        flush();
        while (!waiting.isEmpty()) {
            deadLetter(waiting.poll().getValue(), "io.riffle.jobs.NoModelLoaded",
                    "no model was loaded before the end of input" + models.missing());
        }
        Watermark held = waiting.releaseWatermark();
        if (held != null) {
            super.processWatermark(held);
        }
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            if (models != null) {
                models.close();
            }
        } finally {
            super.close();
        }
    }

    /** Records currently buffered for the next batch, filled or not yet (tests). */
    int buffered() {
        return batch.size() + pendingCount;
    }

    /** Records waiting for a first model (tests). */
    int waitingCount() {
        return waiting.size();
    }

    /** Model outputs so far that were NaN or infinite (tests; the metric is riffleNonFiniteOutputs). */
    long nonFiniteOutputCount() {
        return metrics.nonFiniteOutputs.getCount();
    }

    private void hold(FeatureVector fv, boolean withTimestamp, long timestamp) {
        if (!waiting.offer(fv, withTimestamp, timestamp)) {
            deadLetter(fv, "io.riffle.jobs.NoModelLoaded", "no model is loaded and "
                    + waiting.limit() + " records are already waiting" + models.missing()
                    + "; publish one with 'riffle models publish'");
        }
    }

    private void drainWaiting() throws Exception {
        while (!waiting.isEmpty()) {
            StreamRecord<FeatureVector> r = waiting.poll();
            // Held vectors were built (or checked) at the operator's width when they arrived.
            batch.add(r.getValue(), r.hasTimestamp(), r.getTimestamp());
            added();
        }
        Watermark held = waiting.releaseWatermark();
        if (held != null) {
            flush();
            super.processWatermark(held);
        }
    }

    /** After a row joined the batch: the first one sets the batch's deadline, the last one scores it. */
    private void added() throws Exception {
        if (batch.size() == 1 && pendingCount == 0) {
            startDeadline();
        }
        if (batch.size() >= limits().size()) {
            flush();
        }
    }

    private void startDeadline() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        batchDeadline = now + limits().maxDelayMs();
        getProcessingTimeService().registerTimer(batchDeadline, this::onBatchTimer);
    }

    /** The batch limits of the device serving now: a CUDA device gets larger batches ({@link ScorerConfig#limitsOn}). */
    private ScorerConfig.BatchLimits limits() {
        if (limits == null) {
            limits = config.limitsOn(models.device());
        }
        return limits;
    }

    private void onBatchTimer(long time) throws Exception {
        // A timer outlives the batch it was set for when that batch filled up first.
        if ((!batch.isEmpty() || pendingCount > 0) && time >= batchDeadline) {
            flush();
        }
    }

    /** Fills the pending records, then scores the buffered batch with every serving model and emits one Score per record. */
    private void flush() throws Exception {
        fillPending();
        if (batch.isEmpty()) {
            return;
        }
        int size = batch.size();
        try {
            models.score(batch);
        } catch (ServingModels.BatchFailure failure) {
            LoadedModel m = failure.model();
            LOG.error("Model {} v{} failed on a batch of {}: {}", m.name(), m.versionNumber(), size,
                    failure.getMessage(), failure.getCause());
            Throwable cause = failure.getCause();
            for (int i = 0; i < size; i++) {
                deadLetter(batch.vector(i), cause.getClass().getName(), "model " + m.name() + " v"
                        + m.versionNumber() + " failed to score event " + batch.eventId(i) + ": " + cause.getMessage());
            }
            batch.clear();
            return;
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        boolean recommends = models.anyMulticlass();
        int nonFinite = assembler.assemble(batch, models, now, (score, row) -> {
            metrics.decided(score.getDecision());
            output.collect(batch.hasTimestamp(row) ? new StreamRecord<>(score, batch.timestamp(row))
                    : new StreamRecord<>(score));
            if (recommends) {
                for (Recommendation r : Recommendations.of(score)) {
                    output.collect(RECOMMENDATIONS, batch.hasTimestamp(row)
                            ? new StreamRecord<>(r, batch.timestamp(row)) : new StreamRecord<>(r));
                }
            }
        });
        if (nonFinite > 0) {
            metrics.nonFiniteOutputs.inc(nonFinite);
        }
        batch.clear();
        metrics.batchScored(size);
    }

    private void deadLetter(FeatureVector fv, String errorClass, String message) {
        if (featureSerde == null) {
            featureSerde = AvroSerde.of(FeatureVector.class);
        }
        byte[] key = fv.getEventId() == null ? null : fv.getEventId().getBytes(StandardCharsets.UTF_8);
        output.collect(DEAD_LETTERS, new StreamRecord<>(DeadLetters.of(config.sourceTopic(), -1, -1L, key,
                featureSerde.encode(fv), errorClass, message + " [event " + fv.getEventId() + "]")));
        if (metrics != null) {
            metrics.deadLetters.inc();
        }
    }

    private ModelEvent event(ModelVersion mv, ModelEventKind kind, String reason, String device) {
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() + 1;
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        return new ModelEvent(mv.getName(), mv.getVersion(), kind, reason, device,
                "scorer " + subtask + "/" + parallelism, System.currentTimeMillis());
    }
}
