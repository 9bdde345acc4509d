package io.riffle.jobs;

import io.riffle.jobs.operators.BatchingScorer;
import io.riffle.jobs.operators.DeadLetterCounter;
import io.riffle.jobs.operators.DecodeFailureRouter;
import io.riffle.jobs.operators.ScorerConfig;
import io.riffle.jobs.operators.SpecFeatureRows;
import io.riffle.jobs.serde.DecodedRecord;
import io.riffle.jobs.serde.EntityKeyTypeInfo;
import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.Decision;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.TwoInputTransformation;

/**
 * The scoring job of a pipeline file: the user's events (Avro or JSON of the file's schema,
 * decoded in the source; failures to dead letters) → keyBy(entity) → one operator
 * ({@link BatchingScorer}) that computes the file's features with per-entity windows
 * ({@link SpecFeatureRows}), scores them in batches with every serving model (broadcast from the
 * models source) and decides → scores, alerts, feature vectors (for the label join), the top-k
 * of multiclass models (recommendations), model events and dead letters. Batching, device, delivery and parallelism come from {@code conf}
 * ({@link PipelineConfigs#configuration(PipelineSpec)} derives it from the file); the schema,
 * features and allowed lateness from the spec. The operator uids are fixed here, so savepoints
 * keep matching.
 */
public final class PipelineScoringJob {
    private final PipelineSpec spec;
    private final Configuration conf;
    private final ScoringSources sources;
    private final ScoringSinks sinks;

    public PipelineScoringJob(PipelineSpec spec, Configuration conf, ScoringSources sources, ScoringSinks sinks) {
        this.spec = spec;
        this.conf = conf;
        this.sources = sources;
        this.sinks = sinks;
    }

    /** The job on the Kafka topics {@code conf} names. */
    public PipelineScoringJob(PipelineSpec spec, Configuration conf) {
        this(spec, conf, ScoringSources.kafka(spec, conf), ScoringSinks.kafka(conf, recommends(spec)));
    }

    /**
     * Whether the file may serve a multiclass model, whose top-k go to the recommendations topic:
     * it declares one, or it declares no models (then any model may serve).
     */
    public static boolean recommends(PipelineSpec spec) {
        return spec.models().isEmpty()
                || spec.models().stream().anyMatch(m -> m.task() == io.riffle.schemas.ModelTask.MULTICLASS);
    }

    /** Wires the job into {@code env} (checkpointing included) without running it. */
    public void build(StreamExecutionEnvironment env) {
        configure(env);
        int parallelism = conf.get(ScoringOptions.PARALLELISM);
        TypeInformation<DecodedRecord> decodedType = DecodedRecord.typeInfo(spec.eventSchema());
        WatermarkStrategy<DecodedRecord> watermarks = WatermarkStrategy
                .<DecodedRecord>forBoundedOutOfOrderness(spec.events().allowedLateness())
                .withTimestampAssigner((d, kafkaTime) -> d.record != null ? d.eventTime : kafkaTime)
                .withIdleness(conf.get(ScoringOptions.IDLENESS));
        SingleOutputStreamOperator<DecodedRecord> decoded = env
                .fromSource(sources.events(), watermarks, "events", decodedType)
                .uid("events-source").setParallelism(parallelism)
                .process(new DecodeFailureRouter<DecodedRecord, DecodedRecord>(d -> d.deadLetter, d -> d), decodedType)
                .name("dead-letter-router").uid("dead-letter-router").setParallelism(parallelism);
        DataStream<ModelVersion> models = env
                .fromSource(sources.models(), WatermarkStrategy.noWatermarks(), "models",
                        new AvroTypeInfo<>(ModelVersion.class))
                .uid("models-source").setParallelism(1)
                .broadcast();

        // Features and scoring in one keyed operator: no shuffle and (de)serialization of every
        // feature vector between them.
        SingleOutputStreamOperator<Score> scores = scorer(env, decoded.keyBy(d -> d.key, EntityKeyTypeInfo.INSTANCE), models,
                parallelism);

        scores.sinkTo(sinks.scores()).name("scores-sink").uid("scores-sink").setParallelism(parallelism);
        scores.filter(s -> s.getDecision() != Decision.ALLOW).name("alerts").uid("alerts").setParallelism(parallelism)
                .sinkTo(sinks.alerts()).name("alerts-sink").uid("alerts-sink").setParallelism(parallelism);
        if (sinks.features() != null) {
            scores.getSideOutput(BatchingScorer.FEATURES).sinkTo(sinks.features())
                    .name("features-sink").uid("features-sink").setParallelism(parallelism);
        }
        if (sinks.recommendations() != null) {
            scores.getSideOutput(BatchingScorer.RECOMMENDATIONS).sinkTo(sinks.recommendations())
                    .name("recommendations-sink").uid("recommendations-sink").setParallelism(parallelism);
        }
        scores.getSideOutput(BatchingScorer.MODEL_EVENTS).sinkTo(sinks.modelEvents())
                .name("model-events-sink").uid("model-events-sink").setParallelism(parallelism);
        decoded.getSideOutput(DecodeFailureRouter.DEAD_LETTERS)
                .union(scores.getSideOutput(BatchingScorer.DEAD_LETTERS))
                .map(new DeadLetterCounter()).name("dead-letter-counter").uid("dead-letter-counter")
                .setParallelism(parallelism)
                .sinkTo(sinks.deadLetters()).name("dead-letters-sink").uid("dead-letters-sink")
                .setParallelism(parallelism);
    }

    private void configure(StreamExecutionEnvironment env) {
        env.setBufferTimeout(conf.get(ScoringOptions.BUFFER_TIMEOUT).toMillis());
        // Without object reuse every record handed to a chained operator is deep-copied through
        // its serializer: each Score twice (scores sink, alerts filter), ~19% of the scorer
        // thread's CPU in the bench profile. Safe here: no operator mutates or keeps a record it
        // received from a chained predecessor (the scorer buffers feature vectors, which reach it
        // over the network, deserialized into fresh objects; the deserializers never reuse).
        env.getConfig().enableObjectReuse();
        env.enableCheckpointing(conf.get(ScoringOptions.CHECKPOINT_INTERVAL).toMillis(),
                ScoringOptions.exactlyOnce(conf) ? CheckpointingMode.EXACTLY_ONCE : CheckpointingMode.AT_LEAST_ONCE);
    }

    /**
     * The keyed scorer on the events and the broadcast models. ConnectedStreams.transform keys an
     * operator only when both inputs are keyed, and the models must reach every subtask: so the
     * transformation is built here, keyed by the events' key on the first input alone, as Flink's
     * own keyed broadcast operator is.
     */
    private SingleOutputStreamOperator<Score> scorer(StreamExecutionEnvironment env,
                                                     KeyedStream<DecodedRecord, String> events,
                                                     DataStream<ModelVersion> models, int parallelism) {
        SpecFeatureRows rows = SpecFeatureRows.of(spec, sinks.features() != null)
                .warmChunk(conf.get(ScoringOptions.WARM_CHUNK));
        TwoInputTransformation<DecodedRecord, ModelVersion, Score> transformation = new TwoInputTransformation<>(
                events.getTransformation(), models.getTransformation(), "features-and-scorer",
                new BatchingScorer<>(scorerConfig(), rows), new AvroTypeInfo<>(Score.class), parallelism);
        transformation.setStateKeySelectors(events.getKeySelector(), null);
        transformation.setStateKeyType(events.getKeyType());
        env.addOperator(transformation);
        SingleOutputStreamOperator<Score> scores = new SingleOutputStreamOperator<>(env, transformation) { };
        scores.uid("scorer").setParallelism(parallelism);
        return scores;
    }

    /**
     * The scorer's settings from {@code conf} (trusted key files are read here, on the client, and
     * their bytes shipped), with the vector width and spec hash of the file.
     */
    ScorerConfig scorerConfig() {
        EngineOptions engine = new EngineOptions(ScoringOptions.device(conf), conf.get(ScoringOptions.INTRA_OP_THREADS),
                1, conf.get(ScoringOptions.CUDA_TF32));
        return new ScorerConfig(conf.get(ScoringOptions.BATCH_SIZE), conf.get(ScoringOptions.BATCH_MAX_DELAY).toMillis(),
                conf.get(ScoringOptions.MAX_WAITING), ScoringOptions.requiredModels(conf), engine,
                spec.features().count(), spec.features().hash(), conf.get(ScoringOptions.EVENTS_TOPIC),
                conf.get(ScoringOptions.ON_MODEL_FAILURE), ScoringOptions.modelPolicy(conf),
                conf.get(ScoringOptions.MAX_MODEL_SIZE).getBytes(), ScoringOptions.topK(conf),
                new ScorerConfig.BatchLimits(conf.get(ScoringOptions.CUDA_BATCH_SIZE),
                        conf.get(ScoringOptions.CUDA_BATCH_MAX_DELAY).toMillis()));
    }
}
