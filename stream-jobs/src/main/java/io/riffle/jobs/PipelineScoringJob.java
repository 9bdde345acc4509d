package io.riffle.jobs;

import io.riffle.jobs.operators.BatchingScorer;
import io.riffle.jobs.operators.DecodeFailureRouter;
import io.riffle.jobs.operators.ScorerConfig;
import io.riffle.jobs.operators.SpecFeaturizer;
import io.riffle.jobs.serde.AvroRecordSerializer;
import io.riffle.jobs.serde.DecodedRecord;
import io.riffle.jobs.serde.GenericEventDeserializer;
import io.riffle.jobs.serde.ModelVersionDeserializer;
import io.riffle.modelops.engine.DeviceRequest;
import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.Decision;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.util.Arrays;
import java.util.List;

/**
 * The scoring job of a pipeline file: the user's events (Avro or JSON of the file's schema) →
 * decode (failures to dead letters) → keyBy(entity) → the file's features with per-entity
 * windows ({@link SpecFeaturizer}; written to the features topic for the label join) → batched
 * scoring with every serving model, refusing models trained for another feature spec → scores,
 * alerts, model events and dead letters. Topics, batching, device and delivery come from
 * {@code conf} ({@link PipelineConfigs#configuration(PipelineSpec)} derives them from the file);
 * the schema, features and allowed lateness from the spec.
 */
public final class PipelineScoringJob {
    private final PipelineSpec spec;
    private final Configuration conf;

    public PipelineScoringJob(PipelineSpec spec, Configuration conf) {
        this.spec = spec;
        this.conf = conf;
    }

    /** Wires the job into {@code env} (checkpointing included) without running it. */
    public void build(StreamExecutionEnvironment env) {
        boolean exactlyOnce = ScoringOptions.exactlyOnce(conf);
        int parallelism = conf.get(ScoringOptions.PARALLELISM);
        env.setBufferTimeout(conf.get(ScoringOptions.BUFFER_TIMEOUT).toMillis());
        // Safe: no operator mutates or keeps a record it received from a chained predecessor (see ScoringJob).
        env.getConfig().enableObjectReuse();
        env.enableCheckpointing(conf.get(ScoringOptions.CHECKPOINT_INTERVAL).toMillis(),
                exactlyOnce ? CheckpointingMode.EXACTLY_ONCE : CheckpointingMode.AT_LEAST_ONCE);

        TypeInformation<DecodedRecord> decodedType = DecodedRecord.typeInfo(spec.eventSchema());
        WatermarkStrategy<DecodedRecord> watermarks = WatermarkStrategy
                .<DecodedRecord>forBoundedOutOfOrderness(spec.events().allowedLateness())
                .withTimestampAssigner((d, kafkaTime) -> d.record != null ? d.eventTime : kafkaTime)
                .withIdleness(conf.get(ScoringOptions.IDLENESS));
        SingleOutputStreamOperator<DecodedRecord> decoded = env
                .fromSource(eventsSource(), watermarks, "events")
                .uid("events-source").setParallelism(parallelism)
                .process(new DecodeFailureRouter<DecodedRecord, DecodedRecord>(d -> d.deadLetter, d -> d), decodedType)
                .name("dead-letter-router").uid("dead-letter-router").setParallelism(parallelism);

        SingleOutputStreamOperator<FeatureVector> features = decoded
                .keyBy(d -> d.key, Types.STRING)
                .process(SpecFeaturizer.of(spec), new AvroTypeInfo<>(FeatureVector.class))
                .name("features").uid("features").setParallelism(parallelism);

        String featuresTopic = conf.get(ScoringOptions.FEATURES_TOPIC);
        if (!featuresTopic.isEmpty()) {
            features.sinkTo(sink(featuresTopic, FeatureVector.class, FeatureVector::getEventId, exactlyOnce, "features"))
                    .name("features-sink").uid("features-sink").setParallelism(parallelism);
        }

        DataStream<ModelVersion> models = env
                .fromSource(modelsSource(), WatermarkStrategy.noWatermarks(), "models")
                .uid("models-source").setParallelism(1)
                .broadcast();

        SingleOutputStreamOperator<Score> scores = features.connect(models)
                .transform("scorer", new AvroTypeInfo<>(Score.class), new BatchingScorer(scorerConfig()))
                .uid("scorer").setParallelism(parallelism);

        scores.sinkTo(sink(conf.get(ScoringOptions.SCORES_TOPIC), Score.class, Score::getEventId, exactlyOnce, "scores"))
                .name("scores-sink").uid("scores-sink").setParallelism(parallelism);
        scores.filter(s -> s.getDecision() != Decision.ALLOW).name("alerts").uid("alerts").setParallelism(parallelism)
                .sinkTo(sink(conf.get(ScoringOptions.ALERTS_TOPIC), Score.class, Score::getEntityId, exactlyOnce, "alerts"))
                .name("alerts-sink").uid("alerts-sink").setParallelism(parallelism);
        scores.getSideOutput(BatchingScorer.MODEL_EVENTS)
                .sinkTo(sink(conf.get(ScoringOptions.MODEL_EVENTS_TOPIC), ModelEvent.class, ModelEvent::getModelName,
                        exactlyOnce, "model-events"))
                .name("model-events-sink").uid("model-events-sink").setParallelism(parallelism);
        decoded.getSideOutput(DecodeFailureRouter.DEAD_LETTERS)
                .union(features.getSideOutput(SpecFeaturizer.DEAD_LETTERS),
                        scores.getSideOutput(BatchingScorer.DEAD_LETTERS))
                .sinkTo(sink(conf.get(ScoringOptions.DEAD_LETTERS_TOPIC), DeadLetter.class, null, exactlyOnce,
                        "dead-letters"))
                .name("dead-letters-sink").uid("dead-letters-sink").setParallelism(parallelism);
    }

    /** The scorer's settings: batching and device from {@code conf}, the vector width and spec hash from the file. */
    ScorerConfig scorerConfig() {
        List<String> required = Arrays.stream(conf.get(ScoringOptions.REQUIRED_MODELS).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        EngineOptions engine = new EngineOptions(DeviceRequest.parse(conf.get(ScoringOptions.DEVICE)),
                conf.get(ScoringOptions.INTRA_OP_THREADS), 1);
        return new ScorerConfig(conf.get(ScoringOptions.BATCH_SIZE), conf.get(ScoringOptions.BATCH_MAX_DELAY).toMillis(),
                conf.get(ScoringOptions.MAX_WAITING), required, engine, spec.features().count(),
                spec.features().hash(), conf.get(ScoringOptions.EVENTS_TOPIC));
    }

    private KafkaSource<DecodedRecord> eventsSource() {
        OffsetResetStrategy reset = conf.get(ScoringOptions.FROM_EARLIEST) ? OffsetResetStrategy.EARLIEST
                : OffsetResetStrategy.LATEST;
        long startTimestamp = conf.get(ScoringOptions.START_TIMESTAMP);
        OffsetsInitializer start = startTimestamp >= 0 ? OffsetsInitializer.timestamp(startTimestamp)
                : OffsetsInitializer.committedOffsets(reset);
        KafkaSourceBuilder<DecodedRecord> builder = KafkaSource.<DecodedRecord>builder()
                .setBootstrapServers(conf.get(ScoringOptions.BOOTSTRAP_SERVERS))
                .setTopics(conf.get(ScoringOptions.EVENTS_TOPIC))
                .setGroupId(conf.get(ScoringOptions.GROUP_ID))
                .setStartingOffsets(start)
                .setDeserializer(GenericEventDeserializer.of(spec))
                .setProperty("isolation.level", "read_committed")
                .setProperty("max.poll.records", "5000")
                .setProperty("max.partition.fetch.bytes", String.valueOf(8 << 20));
        spec.kafka().properties().forEach(builder::setProperty);
        return builder.build();
    }

    private KafkaSource<ModelVersion> modelsSource() {
        // Always the whole compacted topic: every subtask must learn the latest version of every model.
        KafkaSourceBuilder<ModelVersion> builder = KafkaSource.<ModelVersion>builder()
                .setBootstrapServers(conf.get(ScoringOptions.BOOTSTRAP_SERVERS))
                .setTopics(conf.get(ScoringOptions.MODELS_TOPIC))
                .setGroupId(conf.get(ScoringOptions.GROUP_ID) + "-models")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new ModelVersionDeserializer())
                .setProperty("max.partition.fetch.bytes", String.valueOf(64 << 20))
                .setProperty("fetch.max.bytes", String.valueOf(64 << 20));
        spec.kafka().properties().forEach(builder::setProperty);
        return builder.build();
    }

    private <T extends SpecificRecordBase> KafkaSink<T> sink(String topic, Class<T> type,
                                                             AvroRecordSerializer.KeyOf<T> key, boolean exactlyOnce,
                                                             String name) {
        return KafkaSinks.avro(conf.get(ScoringOptions.BOOTSTRAP_SERVERS), topic, type, key, exactlyOnce,
                conf.get(ScoringOptions.TRANSACTIONAL_ID_PREFIX) + "-" + name, conf.get(ScoringOptions.TRANSACTION_TIMEOUT));
    }
}
