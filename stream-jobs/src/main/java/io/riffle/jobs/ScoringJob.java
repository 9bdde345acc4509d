package io.riffle.jobs;

import io.riffle.jobs.operators.DeadLetterRouter;
import io.riffle.jobs.operators.ScorerConfig;
import io.riffle.jobs.operators.TransactionFeaturizer;
import io.riffle.jobs.serde.DecodedEvent;
import io.riffle.jobs.serde.EventDeserializer;
import io.riffle.modelops.features.TransactionFeatures;
import io.riffle.schemas.FeatureVector;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;

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
        ScoringGraph graph = new ScoringGraph(conf);
        graph.configure(env);
        int parallelism = graph.parallelism();

        WatermarkStrategy<DecodedEvent> watermarks = WatermarkStrategy
                .<DecodedEvent>forBoundedOutOfOrderness(conf.get(ScoringOptions.OUT_OF_ORDERNESS))
                .withTimestampAssigner((e, kafkaTime) -> e.event != null ? e.event.getEventTime() : kafkaTime)
                .withIdleness(conf.get(ScoringOptions.IDLENESS));
        SingleOutputStreamOperator<DecodedEvent> decoded = env
                .fromSource(graph.eventsSource(new EventDeserializer(conf.get(ScoringOptions.EVENTS_FORMAT))),
                        watermarks, "events")
                .uid("events-source").setParallelism(parallelism)
                .process(new DeadLetterRouter()).name("dead-letter-router").uid("dead-letter-router")
                .setParallelism(parallelism);

        DataStream<FeatureVector> features = decoded
                .keyBy(e -> e.event.getCardId())
                .process(new TransactionFeaturizer(conf.get(ScoringOptions.ENTITY_STATE_TTL)),
                        new AvroTypeInfo<>(FeatureVector.class))
                .name("features").uid("features").setParallelism(parallelism);

        graph.scoreAndSink(env, features, scorerConfig(), decoded.getSideOutput(DeadLetterRouter.DEAD_LETTERS));
    }

    ScorerConfig scorerConfig() {
        return new ScoringGraph(conf).scorerConfig(TransactionFeatures.COUNT, TransactionFeatures.SPEC_HASH);
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
