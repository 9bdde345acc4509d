package io.riffle.jobs;

import io.riffle.jobs.operators.BatchingScorer;
import io.riffle.jobs.operators.ScorerConfig;
import io.riffle.jobs.operators.ScoringRows;
import io.riffle.jobs.serde.AvroRecordSerializer;
import io.riffle.jobs.serde.ModelVersionDeserializer;
import io.riffle.modelops.engine.DeviceRequest;
import io.riffle.modelops.engine.EngineOptions;
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
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.TwoInputTransformation;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The scoring job's plumbing around its decoding: the environment settings, the events source,
 * and everything from the keyed scorer on — the broadcast models, the {@link BatchingScorer} with
 * its rows, and the features, scores, alerts, model-events and dead-letters sinks. The operator
 * uids are fixed here, so savepoints keep matching.
 */
final class ScoringGraph {
    private final Configuration conf;
    private final Map<String, String> clientProperties;
    private final boolean exactlyOnce;
    private final int parallelism;

    ScoringGraph(Configuration conf) {
        this.conf = conf;
        this.clientProperties = ScoringOptions.clientProperties(conf);
        this.exactlyOnce = ScoringOptions.exactlyOnce(conf);
        this.parallelism = conf.get(ScoringOptions.PARALLELISM);
    }

    int parallelism() {
        return parallelism;
    }

    void configure(StreamExecutionEnvironment env) {
        env.setBufferTimeout(conf.get(ScoringOptions.BUFFER_TIMEOUT).toMillis());
        // Without object reuse every record handed to a chained operator is deep-copied through
        // its serializer: each Score twice (scores sink, alerts filter), ~19% of the scorer
        // thread's CPU in the bench profile. Safe here: no operator mutates or keeps a record it
        // received from a chained predecessor (the scorer buffers feature vectors, which reach it
        // over the network, deserialized into fresh objects; the deserializers never reuse).
        env.getConfig().enableObjectReuse();
        env.enableCheckpointing(conf.get(ScoringOptions.CHECKPOINT_INTERVAL).toMillis(),
                exactlyOnce ? CheckpointingMode.EXACTLY_ONCE : CheckpointingMode.AT_LEAST_ONCE);
    }

    /** The events topic, from the committed offsets (or the configured start) and read_committed. */
    <T> KafkaSource<T> eventsSource(KafkaRecordDeserializationSchema<T> deserializer) {
        OffsetResetStrategy reset = conf.get(ScoringOptions.FROM_EARLIEST) ? OffsetResetStrategy.EARLIEST
                : OffsetResetStrategy.LATEST;
        long startTimestamp = conf.get(ScoringOptions.START_TIMESTAMP);
        OffsetsInitializer start = startTimestamp >= 0 ? OffsetsInitializer.timestamp(startTimestamp)
                : OffsetsInitializer.committedOffsets(reset);
        KafkaSourceBuilder<T> builder = KafkaSource.<T>builder()
                .setBootstrapServers(conf.get(ScoringOptions.BOOTSTRAP_SERVERS))
                .setTopics(conf.get(ScoringOptions.EVENTS_TOPIC))
                .setGroupId(conf.get(ScoringOptions.GROUP_ID))
                .setStartingOffsets(start)
                .setDeserializer(deserializer)
                .setProperty("isolation.level", "read_committed")
                .setProperty("max.poll.records", "5000")
                .setProperty("max.partition.fetch.bytes", String.valueOf(8 << 20));
        clientProperties.forEach(builder::setProperty);
        return builder.build();
    }

    /**
     * The scorer's settings: batching, device, what a failing model decides and the models it
     * admits from the options (trusted key files are read here, on the client, and their bytes
     * shipped), the vector width and spec hash from the job.
     */
    ScorerConfig scorerConfig(int featureCount, String specHash) {
        List<String> required = Arrays.stream(conf.get(ScoringOptions.REQUIRED_MODELS).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        EngineOptions engine = new EngineOptions(DeviceRequest.parse(conf.get(ScoringOptions.DEVICE)),
                conf.get(ScoringOptions.INTRA_OP_THREADS), 1, conf.get(ScoringOptions.CUDA_TF32));
        return new ScorerConfig(conf.get(ScoringOptions.BATCH_SIZE), conf.get(ScoringOptions.BATCH_MAX_DELAY).toMillis(),
                conf.get(ScoringOptions.MAX_WAITING), required, engine, featureCount, specHash,
                conf.get(ScoringOptions.EVENTS_TOPIC), conf.get(ScoringOptions.ON_MODEL_FAILURE),
                ScoringOptions.modelPolicy(conf), conf.get(ScoringOptions.MAX_MODEL_SIZE).getBytes());
    }

    /** Whether the job writes its feature vectors to a features topic (for the label join). */
    boolean writesFeatures() {
        return !conf.get(ScoringOptions.FEATURES_TOPIC).isEmpty();
    }

    /**
     * Scores {@code events}, keyed by entity, with a scorer that computes each row's features
     * itself ({@code rows}, e.g. {@link io.riffle.jobs.operators.SpecFeatureRows}), and wires every
     * sink; the rows' feature vectors go to the features topic when there is one.
     */
    <K, IN> SingleOutputStreamOperator<Score> scoreKeyedAndSink(StreamExecutionEnvironment env,
                                                                KeyedStream<IN, K> events,
                                                                ScorerConfig scorerConfig,
                                                                ScoringRows<IN> rows,
                                                                DataStream<DeadLetter> upstreamDeadLetters) {
        // ConnectedStreams.transform keys an operator only when both inputs are keyed, and the
        // models must reach every subtask (broadcast): so the transformation is built here, keyed
        // by the events' key on the first input alone, as Flink's own keyed broadcast operator is.
        DataStream<ModelVersion> models = models(env);
        TwoInputTransformation<IN, ModelVersion, Score> transformation = new TwoInputTransformation<>(
                events.getTransformation(), models.getTransformation(), "features-and-scorer",
                new BatchingScorer<>(scorerConfig, rows), new AvroTypeInfo<>(Score.class), parallelism);
        transformation.setStateKeySelectors(events.getKeySelector(), null);
        transformation.setStateKeyType(events.getKeyType());
        env.addOperator(transformation);
        SingleOutputStreamOperator<Score> scores = new SingleOutputStreamOperator<>(env, transformation) { };
        scores.uid("scorer").setParallelism(parallelism);
        if (rows.emitsFeatures()) {
            featuresSink(scores.getSideOutput(BatchingScorer.FEATURES));
        }
        sinks(scores, upstreamDeadLetters);
        return scores;
    }

    private void featuresSink(DataStream<FeatureVector> features) {
        features.sinkTo(sink(conf.get(ScoringOptions.FEATURES_TOPIC), FeatureVector.class, FeatureVector::getEventId,
                        FeatureVector::getIngestTime, "features"))
                .name("features-sink").uid("features-sink").setParallelism(parallelism);
    }

    private DataStream<ModelVersion> models(StreamExecutionEnvironment env) {
        return env.fromSource(modelsSource(), WatermarkStrategy.noWatermarks(), "models")
                .uid("models-source").setParallelism(1)
                .broadcast();
    }

    private void sinks(SingleOutputStreamOperator<Score> scores, DataStream<DeadLetter> upstreamDeadLetters) {

        scores.sinkTo(sink(conf.get(ScoringOptions.SCORES_TOPIC), Score.class, Score::getEventId, Score::getIngestTime,
                        "scores"))
                .name("scores-sink").uid("scores-sink").setParallelism(parallelism);
        scores.filter(s -> s.getDecision() != Decision.ALLOW).name("alerts").uid("alerts").setParallelism(parallelism)
                .sinkTo(sink(conf.get(ScoringOptions.ALERTS_TOPIC), Score.class, Score::getEntityId, Score::getIngestTime,
                        "alerts"))
                .name("alerts-sink").uid("alerts-sink").setParallelism(parallelism);
        scores.getSideOutput(BatchingScorer.MODEL_EVENTS)
                .sinkTo(sink(conf.get(ScoringOptions.MODEL_EVENTS_TOPIC), ModelEvent.class, ModelEvent::getModelName,
                        null, "model-events"))
                .name("model-events-sink").uid("model-events-sink").setParallelism(parallelism);
        upstreamDeadLetters.union(scores.getSideOutput(BatchingScorer.DEAD_LETTERS))
                .sinkTo(sink(conf.get(ScoringOptions.DEAD_LETTERS_TOPIC), DeadLetter.class, null, null, "dead-letters"))
                .name("dead-letters-sink").uid("dead-letters-sink").setParallelism(parallelism);
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
        clientProperties.forEach(builder::setProperty);
        return builder.build();
    }

    private <T extends SpecificRecordBase> KafkaSink<T> sink(String topic, Class<T> type,
                                                             AvroRecordSerializer.KeyOf<T> key,
                                                             AvroRecordSerializer.IngestTimeOf<T> ingestTime,
                                                             String name) {
        AvroRecordSerializer<T> serializer = new AvroRecordSerializer<>(topic, type, key,
                conf.get(ScoringOptions.OUTPUT_TIMESTAMP), ingestTime);
        return KafkaSinks.avro(conf.get(ScoringOptions.BOOTSTRAP_SERVERS), serializer, exactlyOnce,
                conf.get(ScoringOptions.TRANSACTIONAL_ID_PREFIX) + "-" + name,
                conf.get(ScoringOptions.TRANSACTION_TIMEOUT), clientProperties);
    }
}
