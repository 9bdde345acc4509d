package io.riffle.jobs;

import io.riffle.jobs.operators.BatchingScorer;
import io.riffle.jobs.operators.DeadLetterRouter;
import io.riffle.jobs.operators.ScorerConfig;
import io.riffle.jobs.operators.TransactionFeaturizer;
import io.riffle.jobs.serde.AvroRecordSerializer;
import io.riffle.jobs.serde.DecodedEvent;
import io.riffle.jobs.serde.EventDeserializer;
import io.riffle.jobs.serde.ModelVersionDeserializer;
import io.riffle.modelops.engine.DeviceRequest;
import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.features.TransactionFeatures;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.Decision;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.util.Arrays;
import java.util.List;

/**
 * The scoring job: events → decode (failures to dead letters) → per-card features (also written
 * to the features topic for the label join) → batched scoring with every serving model (models
 * broadcast from the models topic) → scores, alerts, model events and dead letters, each to its
 * Kafka topic.
 */
public final class ScoringJob {
    private final Configuration conf;

    public ScoringJob(Configuration conf) {
        this.conf = conf;
    }

    /** Wires the job into {@code env} (checkpointing included) without running it. */
    public void build(StreamExecutionEnvironment env) {
        boolean exactlyOnce = ScoringOptions.exactlyOnce(conf);
        int parallelism = conf.get(ScoringOptions.PARALLELISM);
        env.setBufferTimeout(conf.get(ScoringOptions.BUFFER_TIMEOUT).toMillis());
        // Without object reuse every record handed to a chained operator is deep-copied through
        // its serializer: each Score twice (scores sink, alerts filter), ~19% of the scorer
        // thread's CPU in the bench profile. Safe here: no operator mutates or keeps a record it
        // received from a chained predecessor (the scorer buffers feature vectors, which reach it
        // over the network, deserialized into fresh objects; EventDeserializer never reuses).
        env.getConfig().enableObjectReuse();
        env.enableCheckpointing(conf.get(ScoringOptions.CHECKPOINT_INTERVAL).toMillis(),
                exactlyOnce ? CheckpointingMode.EXACTLY_ONCE : CheckpointingMode.AT_LEAST_ONCE);

        WatermarkStrategy<DecodedEvent> watermarks = WatermarkStrategy
                .<DecodedEvent>forBoundedOutOfOrderness(conf.get(ScoringOptions.OUT_OF_ORDERNESS))
                .withTimestampAssigner((e, kafkaTime) -> e.event != null ? e.event.getEventTime() : kafkaTime)
                .withIdleness(conf.get(ScoringOptions.IDLENESS));
        SingleOutputStreamOperator<DecodedEvent> decoded = env
                .fromSource(eventsSource(), watermarks, "events")
                .uid("events-source").setParallelism(parallelism)
                .process(new DeadLetterRouter()).name("dead-letter-router").uid("dead-letter-router")
                .setParallelism(parallelism);

        DataStream<FeatureVector> features = decoded
                .keyBy(e -> e.event.getCardId())
                .process(new TransactionFeaturizer(conf.get(ScoringOptions.ENTITY_STATE_TTL)),
                        new AvroTypeInfo<>(FeatureVector.class))
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
        decoded.getSideOutput(DeadLetterRouter.DEAD_LETTERS)
                .union(scores.getSideOutput(BatchingScorer.DEAD_LETTERS))
                .sinkTo(sink(conf.get(ScoringOptions.DEAD_LETTERS_TOPIC), DeadLetter.class, null, exactlyOnce,
                        "dead-letters"))
                .name("dead-letters-sink").uid("dead-letters-sink").setParallelism(parallelism);
    }

    ScorerConfig scorerConfig() {
        List<String> required = Arrays.stream(conf.get(ScoringOptions.REQUIRED_MODELS).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        EngineOptions engine = new EngineOptions(DeviceRequest.parse(conf.get(ScoringOptions.DEVICE)),
                conf.get(ScoringOptions.INTRA_OP_THREADS), 1);
        return new ScorerConfig(conf.get(ScoringOptions.BATCH_SIZE), conf.get(ScoringOptions.BATCH_MAX_DELAY).toMillis(),
                conf.get(ScoringOptions.MAX_WAITING), required, engine, TransactionFeatures.COUNT,
                TransactionFeatures.SPEC_HASH, conf.get(ScoringOptions.EVENTS_TOPIC));
    }

    private KafkaSource<DecodedEvent> eventsSource() {
        OffsetResetStrategy reset = conf.get(ScoringOptions.FROM_EARLIEST) ? OffsetResetStrategy.EARLIEST
                : OffsetResetStrategy.LATEST;
        long startTimestamp = conf.get(ScoringOptions.START_TIMESTAMP);
        OffsetsInitializer start = startTimestamp >= 0 ? OffsetsInitializer.timestamp(startTimestamp)
                : OffsetsInitializer.committedOffsets(reset);
        return KafkaSource.<DecodedEvent>builder()
                .setBootstrapServers(conf.get(ScoringOptions.BOOTSTRAP_SERVERS))
                .setTopics(conf.get(ScoringOptions.EVENTS_TOPIC))
                .setGroupId(conf.get(ScoringOptions.GROUP_ID))
                .setStartingOffsets(start)
                .setDeserializer(new EventDeserializer(conf.get(ScoringOptions.EVENTS_FORMAT)))
                .setProperty("isolation.level", "read_committed")
                .setProperty("max.poll.records", "5000")
                .setProperty("max.partition.fetch.bytes", String.valueOf(8 << 20))
                .build();
    }

    private KafkaSource<ModelVersion> modelsSource() {
        // Always the whole compacted topic: every subtask must learn the latest version of every model.
        return KafkaSource.<ModelVersion>builder()
                .setBootstrapServers(conf.get(ScoringOptions.BOOTSTRAP_SERVERS))
                .setTopics(conf.get(ScoringOptions.MODELS_TOPIC))
                .setGroupId(conf.get(ScoringOptions.GROUP_ID) + "-models")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new ModelVersionDeserializer())
                .setProperty("max.partition.fetch.bytes", String.valueOf(64 << 20))
                .setProperty("fetch.max.bytes", String.valueOf(64 << 20))
                .build();
    }

    private <T extends SpecificRecordBase> KafkaSink<T> sink(String topic, Class<T> type,
                                                             AvroRecordSerializer.KeyOf<T> key, boolean exactlyOnce,
                                                             String name) {
        return KafkaSinks.avro(conf.get(ScoringOptions.BOOTSTRAP_SERVERS), topic, type, key, exactlyOnce,
                conf.get(ScoringOptions.TRANSACTIONAL_ID_PREFIX) + "-" + name, conf.get(ScoringOptions.TRANSACTION_TIMEOUT));
    }

    /**
     * Runs the job on the cluster the environment points at. Options are given as
     * {@code --riffle.kafka.bootstrap-servers host:port} etc. (see {@link ScoringOptions}).
     */
    public static void main(String[] args) throws Exception {
        Configuration conf = Configuration.fromMap(ParameterTool.fromArgs(args).toMap());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        new ScoringJob(conf).build(env);
        env.execute("riffle-scoring");
    }
}
