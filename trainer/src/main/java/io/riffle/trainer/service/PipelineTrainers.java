package io.riffle.trainer.service;

import io.riffle.modelops.spec.DriftSpec;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.ModelSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.TrainerParams;
import io.riffle.modelops.spec.TrainerSpec;
import io.riffle.schemas.ModelTask;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.trainer.data.ClassVocabulary;
import io.riffle.trainer.model.TrainerConfig;

import java.util.ArrayList;
import java.util.List;

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

    /**
     * The options {@code riffle run} trains {@code model} of {@code spec} with: the file's topics,
     * Kafka properties, features, ignore list, trainer section and the model's own settings.
     */
    public static TrainerOptions options(PipelineSpec spec, ModelSpec model, String bootstrapServers) {
        ModelKind kind = model.trainer();
        TrainerSpec trainer = spec.trainer();
        KafkaSpec.TopicNames topics = spec.kafka().topics();
        TrainerOptions.Builder b = TrainerOptions.builder(bootstrapServers, model.name(), kind, spec.features().count(),
                spec.features().hash(), spec.features().names());
        if (model.task() == ModelTask.MULTICLASS) {
            TrainerParams.Multiclass p = (TrainerParams.Multiclass) model.params();
            b.multiclass(model.topK(), p.maxClasses() == null ? ClassVocabulary.DEFAULT_MAX_CLASSES : p.maxClasses(),
                            p.segment() == null ? List.of() : spec.features().segmentColumns(p.segment()))
                    .training(config(TrainerConfig.multiclassDefaults(kind), p.dense()))
                    // The drift watch reads a binary champion's error; a multiclass one has none yet.
                    .drift(DriftSpec.off());
        } else {
            b.training(config(TrainerConfig.defaults(kind), model.params())).drift(trainer.drift());
        }
        return b
                .topics(topics.training(), topics.models(), topics.modelEvents())
                .window(trainer.window(), trainer.maxExamples())
                .schedule(trainer.retrainEvery(), trainer.retrainAfterLabels())
                .minimums(trainer.minExamples(), trainer.minPositives())
                .holdout(trainer.holdoutFraction())
                .validation(trainer.validationFraction())
                .gate(model.gateMargin(), model.onWorse())
                .thresholds(model.reviewThreshold(), model.blockThreshold())
                .ignoredFeatures(model.ignore())
                .kafkaProperties(spec.kafka().properties())
                .signingKey(trainer.signingKey())
                .build();
    }

    /** The kind's defaults with the file's hyper-parameters (those it wrote) applied. */
    static TrainerConfig config(ModelKind kind, TrainerParams params) {
        return config(TrainerConfig.defaults(kind), params);
    }

    /** {@code defaults} with the file's hyper-parameters (those it wrote) applied. */
    static TrainerConfig config(TrainerConfig defaults, TrainerParams params) {
        TrainerConfig c = defaults;
        if (params.patience() != null) {
            c = c.withPatience(params.patience());
        }
        if (params.classWeighting() != null) {
            c = c.withClassWeighting(params.classWeighting());
        }
        if (params.seed() != null) {
            c = c.withSeed(params.seed());
        }
        if (params instanceof TrainerParams.Dense d) {
            c = d.hiddenLayers() == null ? c : c.withHiddenLayers(d.hiddenLayers());
            c = d.maxEpochs() == null ? c : c.withMaxEpochs(d.maxEpochs());
            c = d.batchSize() == null ? c : c.withBatchSize(d.batchSize());
            c = d.learningRate() == null ? c : c.withLearningRate(d.learningRate());
            c = d.l2() == null ? c : c.withL2(d.l2());
        } else if (params instanceof TrainerParams.Trees t) {
            c = t.trees() == null ? c : c.withTrees(t.trees());
            c = t.maxDepth() == null ? c : c.withMaxDepth(t.maxDepth());
            c = t.eta() == null ? c : c.withEta(t.eta());
            c = t.threads() == null ? c : c.withThreads(t.threads());
        }
        return c;
    }
}
