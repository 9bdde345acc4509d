package io.riffle.jobs.operators;

import io.riffle.jobs.serde.DecodedEvent;
import io.riffle.modelops.features.EntityStats;
import io.riffle.modelops.features.TransactionFeatures;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.Transaction;
import io.riffle.schemas.serde.AvroClassAllowList;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.Arrays;

/**
 * Computes a transaction's feature vector, keyed by card: the per-card running statistics live
 * in keyed state (with a TTL, so idle cards do not accumulate), the arithmetic in the Flink-free
 * {@link TransactionFeatures}.
 */
public final class TransactionFeaturizer extends KeyedProcessFunction<String, DecodedEvent, FeatureVector> {
    private static final long serialVersionUID = 1L;

    private final Duration stateTtl;

    /** Running statistics of the current card. */
    private transient ValueState<EntityStats> stats;
    private transient float[] scratch;

    public TransactionFeaturizer(Duration stateTtl) {
        this.stateTtl = stateTtl;
    }

    /** The per-card statistics' state, expiring {@code ttl} after the card's last event. */
    public static ValueStateDescriptor<EntityStats> statsDescriptor(Duration ttl) {
        ValueStateDescriptor<EntityStats> descriptor =
                new ValueStateDescriptor<>("entity-stats", TypeInformation.of(EntityStats.class));
        descriptor.enableTimeToLive(EntityStateTtl.of(ttl));
        return descriptor;
    }

    @Override
    public void open(OpenContext openContext) {
        AvroClassAllowList.allowRiffleRecords();
        stats = getRuntimeContext().getState(statsDescriptor(stateTtl));
        scratch = new float[TransactionFeatures.COUNT];
    }

    @Override
    public void processElement(DecodedEvent value, Context ctx, Collector<FeatureVector> out) throws Exception {
        Transaction t = value.event;
        EntityStats s = stats.value();
        if (s == null) {
            s = new EntityStats();
        }
        TransactionFeatures.extract(t, s, scratch, 0);
        stats.update(s);
        Float[] boxed = new Float[scratch.length];
        for (int i = 0; i < scratch.length; i++) {
            boxed[i] = scratch[i];
        }
        out.collect(new FeatureVector(t.getEventId(), t.getCardId(), t.getEventTime(), value.ingestTime,
                TransactionFeatures.SPEC_HASH, Arrays.asList(boxed)));
    }
}
