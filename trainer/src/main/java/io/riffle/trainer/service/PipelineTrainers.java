package io.riffle.trainer.service;

import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.ModelSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.TrainerSpec;
import io.riffle.schemas.ModelTask;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.trainer.model.TrainerConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Trainer options for the models a pipeline file declares. */
public final class PipelineTrainers {
    private PipelineTrainers() {}

    /** One {@link TrainerOptions} per model of {@code spec}, against {@code bootstrapServers}. */
    public static List<TrainerOptions> options(PipelineSpec spec, String bootstrapServers) {
        List<TrainerOptions> all = new ArrayList<>();
        for (ModelSpec model : spec.models()) {
            all.add(options(spec, model, bootstrapServers));
        }
        return all;
    }

    static TrainerOptions options(PipelineSpec spec, ModelSpec model, String bootstrapServers) {
        if (model.task() == ModelTask.MULTICLASS) {
            throw new IllegalArgumentException("model " + model.name() + ": multiclass training is not supported yet");
        }
        ModelKind kind = model.trainer();
        TrainerSpec trainer = spec.trainer();
        KafkaSpec.TopicNames topics = spec.kafka().topics();
        return TrainerOptions.builder(bootstrapServers, model.name(), kind, spec.features().count(),
                        spec.features().hash(), spec.features().names())
                .training(config(kind, model.params()))
                .topics(topics.training(), topics.models(), topics.modelEvents())
                .window(trainer.window(), trainer.maxExamples())
                .schedule(trainer.retrainEvery(), trainer.retrainAfterLabels())
                .gate(model.gateMargin(), model.onWorse())
                .thresholds(model.reviewThreshold(), model.blockThreshold())
                .ignoredFeatures(model.ignore())
                .kafkaProperties(spec.kafka().properties())
                .signingKey(trainer.signingKey())
                .build();
    }

    /** The kind's defaults with the file's hyper-parameters (names as in {@link ModelSpec#PARAMETERS}) applied. */
    static TrainerConfig config(ModelKind kind, Map<String, Object> params) {
        TrainerConfig c = TrainerConfig.defaults(kind);
        for (Map.Entry<String, Object> p : params.entrySet()) {
            Object v = p.getValue();
            c = switch (p.getKey()) {
                case "hidden-layers" -> c.withHiddenLayers(((List<?>) v).stream().map(x -> ((Number) x).intValue()).toList());
                case "max-epochs" -> c.withMaxEpochs(((Number) v).intValue());
                case "batch-size" -> c.withBatchSize(((Number) v).intValue());
                case "learning-rate" -> c.withLearningRate(((Number) v).doubleValue());
                case "l2" -> c.withL2(((Number) v).doubleValue());
                case "patience" -> c.withPatience(((Number) v).intValue());
                case "class-weighting" -> c.withClassWeighting((Boolean) v);
                case "trees" -> c.withTrees(((Number) v).intValue());
                case "max-depth" -> c.withMaxDepth(((Number) v).intValue());
                case "eta" -> c.withEta(((Number) v).doubleValue());
                case "threads" -> c.withThreads(((Number) v).intValue());
                case "seed" -> c.withSeed(((Number) v).longValue());
                default -> throw new IllegalArgumentException("unknown trainer parameter '" + p.getKey()
                        + "'; allowed: " + ModelSpec.PARAMETERS);
            };
        }
        return c;
    }
}
