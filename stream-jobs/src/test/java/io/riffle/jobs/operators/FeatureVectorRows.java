package io.riffle.jobs.operators;

import io.riffle.jobs.serde.DeadLetters;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.serde.AvroSerde;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Rows from feature vectors computed upstream: their values copied, a vector of the wrong width dead-lettered. */
public final class FeatureVectorRows implements ScoringRows<FeatureVector> {
    private static final long serialVersionUID = 1L;

    private final int featureCount;
    private final String sourceTopic;
    private transient AvroSerde<FeatureVector> serde;

    public FeatureVectorRows(int featureCount, String sourceTopic) {
        this.featureCount = featureCount;
        this.sourceTopic = sourceTopic;
    }

    @Override
    public DeadLetter fill(FeatureVector fv, float[] out, int offset, Identity row) {
        List<Float> values = fv.getValues();
        if (values.size() != featureCount) {
            if (serde == null) {
                serde = AvroSerde.of(FeatureVector.class);
            }
            return DeadLetters.of(sourceTopic, -1, -1L, fv.getEventId().getBytes(StandardCharsets.UTF_8),
                    serde.encode(fv), "io.riffle.jobs.FeatureWidthMismatch", "feature vector of event "
                            + fv.getEventId() + " has " + values.size() + " values; the models expect " + featureCount
                            + " [event " + fv.getEventId() + "]");
        }
        copy(fv, out, offset, row);
        return null;
    }

    /** Writes a vector of the right width into {@code out[offset, ...)} and its identity into {@code row}. */
    static void copy(FeatureVector fv, float[] out, int offset, Identity row) {
        List<Float> values = fv.getValues();
        for (int j = 0, n = values.size(); j < n; j++) {
            out[offset + j] = values.get(j);
        }
        row.eventId = fv.getEventId();
        row.entityId = fv.getEntityId();
        row.eventTime = fv.getEventTime();
        row.ingestTime = fv.getIngestTime();
        row.specHash = fv.getSpecHash();
    }

    @Override
    public FeatureVector asVector(FeatureVector in) {
        return in;
    }
}
