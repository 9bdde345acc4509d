package io.riffle.dashboard;

import io.riffle.schemas.Decision;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.ModelEventKind;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelScore;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import io.riffle.schemas.TrainingExample;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Records as the jobs and the trainer write them, for the dashboard's tests. */
final class Records {
    private Records() {}

    static Score score(String eventId, String model, int version, float value, Decision decision, long time, long latency) {
        return Score.newBuilder().setEventId(eventId).setEntityId("card-" + eventId).setEventTime(time - latency)
                .setIngestTime(time - latency).setScoreTime(time).setLatencyMs(latency)
                .setModels(List.of(ModelScore.newBuilder().setName(model).setVersion(version).setTask(ModelTask.BINARY)
                        .setRole(ModelRole.CHAMPION).setValue(value).setTopK(null).build()))
                .setDecision(decision).setReasons(decision == Decision.ALLOW ? List.of() : List.of(model + ">=review"))
                .build();
    }

    static TrainingExample label(String eventId, int label, long time) {
        return TrainingExample.newBuilder().setEventId(eventId).setEntityId("card-" + eventId).setEventTime(time)
                .setLabelTime(time).setSpecHash("h").setValues(List.of(1f)).setLabel(label).setLabelClass(null).build();
    }

    /** A published binary version whose training scores fell in {@code histogram}'s bins (counts). */
    static ModelVersion version(String name, int version, double auc, long[] histogram, long createdAt) {
        Map<String, Double> metrics = new HashMap<>();
        metrics.put("roc_auc", auc);
        if (histogram != null) {
            for (int i = 0; i < histogram.length; i++) {
                metrics.put(String.format(Locale.ROOT, "score_hist_%02d", i), (double) histogram[i]);
            }
        }
        return ModelVersion.newBuilder().setName(name).setVersion(version).setTask(ModelTask.BINARY)
                .setRole(ModelRole.CHAMPION).setOnnx(ByteBuffer.wrap(new byte[] {1})).setUri(null).setSha256("00")
                .setSignature(null).setFeatureCount(1).setFeatureSpecHash(null).setFeatureNames(List.of("x")).setInputName(null)
                .setOutputName(null).setPositiveIndex(1).setClassLabels(List.of()).setOutputKind(null)
                .setReviewThreshold(0.5).setBlockThreshold(0.9).setMetrics(metrics).setTrainingWindow(null)
                .setParentVersion(null).setCreatedAt(createdAt).setFeatureStats(null).build();
    }

    static ModelEvent event(String model, int version, ModelEventKind kind, String reason, String source, long time) {
        return ModelEvent.newBuilder().setModelName(model).setVersion(version).setKind(kind).setReason(reason)
                .setDevice(kind == ModelEventKind.LOADED ? "cpu" : null).setSource(source).setTime(time).build();
    }
}
