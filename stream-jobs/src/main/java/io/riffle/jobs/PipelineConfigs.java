package io.riffle.jobs;

import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.LabelsSpec;
import io.riffle.modelops.spec.ModelSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.ScoringSpec;
import org.apache.flink.configuration.Configuration;

import java.nio.file.Path;

/**
 * Turns a pipeline file into the typed options of the jobs that run it ({@link ScoringOptions}
 * and {@link LabelJoinOptions} share one {@link Configuration}): topics, formats, batching,
 * device, delivery, parallelism and which models the scorer admits (trusted keys, the file's model
 * names, spec hash required) come from the file; consumer groups and transactional-id
 * prefixes are derived from the pipeline's name, so two pipelines on one Kafka cluster neither
 * share offsets nor fence each other's transactions.
 */
public final class PipelineConfigs {
    private PipelineConfigs() {}

    /** The options of {@code spec}'s scoring and label-join jobs; the caller may override any before building. */
    public static Configuration configuration(PipelineSpec spec) {
        Configuration conf = new Configuration();
        KafkaSpec kafka = spec.kafka();
        KafkaSpec.TopicNames topics = kafka.topics();
        ScoringSpec scoring = spec.scoring();
        LabelsSpec labels = spec.labels();
        String name = spec.name();

        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        conf.set(ScoringOptions.EVENTS_TOPIC, topics.events());
        conf.set(ScoringOptions.FEATURES_TOPIC, topics.features());
        conf.set(ScoringOptions.SCORES_TOPIC, topics.scores());
        conf.set(ScoringOptions.ALERTS_TOPIC, topics.alerts());
        conf.set(ScoringOptions.MODELS_TOPIC, topics.models());
        conf.set(ScoringOptions.MODEL_EVENTS_TOPIC, topics.modelEvents());
        conf.set(ScoringOptions.RECOMMENDATIONS_TOPIC, topics.recommendations());
        conf.set(ScoringOptions.DEAD_LETTERS_TOPIC, topics.deadLetters());
        conf.set(ScoringOptions.GROUP_ID, name + "-scorer");
        conf.set(ScoringOptions.TRANSACTIONAL_ID_PREFIX, name + "-scorer");
        conf.set(ScoringOptions.BATCH_SIZE, scoring.batchSize());
        conf.set(ScoringOptions.BATCH_MAX_DELAY, scoring.maxDelay());
        conf.set(ScoringOptions.CUDA_BATCH_SIZE, scoring.cudaBatchSize());
        conf.set(ScoringOptions.CUDA_BATCH_MAX_DELAY, scoring.cudaMaxDelay());
        conf.set(ScoringOptions.DEVICE, scoring.device().toString());
        conf.set(ScoringOptions.DELIVERY, scoring.delivery().spelling());
        conf.set(ScoringOptions.PARALLELISM, scoring.parallelism());
        conf.set(ScoringOptions.OUTPUT_TIMESTAMP, scoring.outputTimestamp());
        conf.set(ScoringOptions.ON_MODEL_FAILURE, scoring.onModelFailure());
        conf.set(ScoringOptions.CUDA_TF32, scoring.cudaTf32());
        conf.set(ScoringOptions.TRUSTED_KEYS, scoring.trustedKeys().stream().map(Path::toString).toList());
        // The file's models are the ones that may decide (none listed: any).
        conf.set(ScoringOptions.ALLOWED_MODELS, spec.models().stream().map(ModelSpec::name).toList());
        conf.set(ScoringOptions.REQUIRE_SPEC_HASH, scoring.requireSpecHash());
        java.util.Map<String, String> topK = new java.util.TreeMap<>();
        for (ModelSpec m : spec.models()) {
            if (m.task() == io.riffle.schemas.ModelTask.MULTICLASS) {
                topK.put(m.name(), Integer.toString(m.topK()));
            }
        }
        conf.set(ScoringOptions.TOP_K, topK);

        // BOOTSTRAP_SERVERS, FEATURES_TOPIC, DEAD_LETTERS_TOPIC and DELIVERY share their keys with ScoringOptions.
        conf.set(ScoringOptions.KAFKA_PROPERTIES, spec.kafka().properties());
        conf.set(LabelJoinOptions.LABELS_TOPIC, topics.labels());
        conf.set(LabelJoinOptions.TRAINING_TOPIC, topics.training());
        if (labels != null && labels.nextEventLabels()) {
            conf.set(LabelJoinOptions.FROM_NEXT_EVENT, true);
            conf.set(LabelJoinOptions.NEXT_EVENT_WITHIN, labels.fromNextEvent().within());
            // The vectors come out of order as their events did: labels are resolved behind that bound.
            conf.set(LabelJoinOptions.OUT_OF_ORDERNESS, spec.events().allowedLateness());
        } else if (labels != null) {
            conf.set(LabelJoinOptions.LABELS_FORMAT, labels.format());
            conf.set(LabelJoinOptions.LABELS_EVENT_ID_FIELD, labels.eventIdField());
            conf.set(LabelJoinOptions.LABELS_LABEL_FIELD, labels.labelField());
            conf.set(LabelJoinOptions.MAX_DELAY, labels.maxDelay());
            conf.set(LabelJoinOptions.IMPLICIT_NEGATIVE_AFTER, labels.implicitNegativeAfter());
        }
        conf.set(LabelJoinOptions.GROUP_ID, name + "-label-join");
        conf.set(LabelJoinOptions.TRANSACTIONAL_ID_PREFIX, name + "-label-join");
        conf.set(LabelJoinOptions.PARALLELISM, scoring.parallelism());
        return conf;
    }
}
