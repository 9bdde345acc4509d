package io.riffle.bench;

import io.riffle.jobs.operators.SpecFeatureRows;
import io.riffle.jobs.serde.DecodedRecord;
import io.riffle.modelops.decision.DecisionPolicy;
import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.features.EntityFeatureState;
import io.riffle.modelops.features.FeatureExtractor;
import io.riffle.modelops.serving.LoadedModel;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.schemas.Decision;
import io.riffle.schemas.ModelScore;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import io.riffle.schemas.serde.AvroClassAllowList;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The blog-post scorer the bench compares against: a {@code RichMapFunction} on the card-keyed
 * stream that computes the same features with the same keyed state as the Riffle job (the
 * pipeline's {@link FeatureExtractor}, state as {@link SpecFeatureRows}'s), then calls
 * ONNX Runtime once per record and model (batch of one) and builds the same {@link Score}.
 * The models are fixed when the job is built (no hot swap).
 */
final class NaiveScorer extends RichMapFunction<DecodedRecord, Score> {
    private static final long serialVersionUID = 1L;

    /** The models in Avro single-object encoding (ModelVersion is not Java-serializable). */
    private final List<byte[]> encodedModels;
    private final FeatureExtractor extractor;
    private final Duration stateTtl;

    private transient ValueState<EntityFeatureState> state;
    private transient List<LoadedModel> models;
    private transient float[] features;
    private transient float[] out;

    NaiveScorer(List<ModelVersion> models, FeatureExtractor extractor, Duration stateTtl) {
        AvroSerde<ModelVersion> serde = AvroSerde.of(ModelVersion.class);
        this.encodedModels = new ArrayList<>();
        for (ModelVersion mv : models) {
            encodedModels.add(serde.encode(mv));
        }
        this.extractor = extractor;
        this.stateTtl = stateTtl;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        AvroClassAllowList.allowRiffleRecords();
        // The same per-card state and serializer as the real featurizer. A map function has no
        // timers, so it expires the state the way such a function does: Flink's state TTL.
        ValueStateDescriptor<EntityFeatureState> descriptor = SpecFeatureRows.stateDescriptor();
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(stateTtl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupIncrementally(1, false)
                .build());
        state = getRuntimeContext().getState(descriptor);
        AvroSerde<ModelVersion> serde = AvroSerde.of(ModelVersion.class);
        ModelLoader loader = new ModelLoader(EngineOptions.defaults());
        models = new ArrayList<>();
        for (byte[] bytes : encodedModels) {
            models.add(loader.load(serde.decode(bytes), extractor.count(), extractor.spec().hash()));
        }
        // The same order as the Riffle scorer (by name), so both produce identical Score records.
        models.sort((a, b) -> a.name().compareTo(b.name()));
        features = new float[extractor.count()];
        out = new float[1];
    }

    @Override
    public Score map(DecodedRecord value) throws Exception {
        EntityFeatureState s = state.value();
        if (s == null) {
            s = extractor.newState();
        }
        extractor.extract(value.record, value.eventTime, s, features, 0);
        state.update(s);
        List<ModelScore> scores = new ArrayList<>(models.size());
        Decision decision = Decision.ALLOW;
        List<String> reasons = List.of();
        for (LoadedModel m : models) {
            m.score(features, 1, out);
            ModelVersion mv = m.version();
            scores.add(new ModelScore(mv.getName(), mv.getVersion(), mv.getTask(), mv.getRole(), out[0], null));
            if (DecisionPolicy.decides(mv)) {
                Decision d = DecisionPolicy.decide(mv, out[0]);
                if (d != Decision.ALLOW) {
                    if (reasons.isEmpty()) {
                        reasons = new ArrayList<>(2);
                    }
                    reasons.add(DecisionPolicy.reason(mv, out[0], d));
                    decision = DecisionPolicy.mostSevere(decision, d);
                }
            }
        }
        long now = System.currentTimeMillis();
        return new Score(extractor.eventId(value.record).toString(), value.key, value.eventTime, value.ingestTime, now,
                now - value.ingestTime, scores, decision, reasons);
    }

    @Override
    public void close() throws Exception {
        if (models != null) {
            for (LoadedModel m : models) {
                m.close();
            }
        }
        super.close();
    }
}
