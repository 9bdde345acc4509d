package io.riffle.jobs;

import io.riffle.jobs.operators.DecodeFailureRouter;
import io.riffle.jobs.operators.ScorerConfig;
import io.riffle.jobs.operators.SpecFeatureRows;
import io.riffle.jobs.serde.DecodedRecord;
import io.riffle.jobs.serde.GenericEventDeserializer;
import io.riffle.modelops.spec.PipelineSpec;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The scoring job of a pipeline file: the user's events (Avro or JSON of the file's schema) →
 * decode (failures to dead letters) → keyBy(entity) → one operator that computes the file's
 * features with per-entity windows ({@link SpecFeatureRows}; also written to the features topic
 * for the label join) and scores them in batches with every serving model, refusing models
 * trained for another feature spec → scores,
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
        ScoringGraph graph = new ScoringGraph(conf);
        graph.configure(env);
        int parallelism = graph.parallelism();

        TypeInformation<DecodedRecord> decodedType = DecodedRecord.typeInfo(spec.eventSchema());
        WatermarkStrategy<DecodedRecord> watermarks = WatermarkStrategy
                .<DecodedRecord>forBoundedOutOfOrderness(spec.events().allowedLateness())
                .withTimestampAssigner((d, kafkaTime) -> d.record != null ? d.eventTime : kafkaTime)
                .withIdleness(conf.get(ScoringOptions.IDLENESS));
        SingleOutputStreamOperator<DecodedRecord> decoded = env
                .fromSource(graph.eventsSource(GenericEventDeserializer.of(spec)), watermarks, "events")
                .uid("events-source").setParallelism(parallelism)
                .process(new DecodeFailureRouter<DecodedRecord, DecodedRecord>(d -> d.deadLetter, d -> d), decodedType)
                .name("dead-letter-router").uid("dead-letter-router").setParallelism(parallelism);

        // Features and scoring in one keyed operator: no shuffle and (de)serialization of every
        // feature vector between them (see the README's "Performance" notes).
        graph.scoreKeyedAndSink(env, decoded.keyBy(d -> d.key, Types.STRING), scorerConfig(),
                SpecFeatureRows.of(spec, graph.writesFeatures()), decoded.getSideOutput(DecodeFailureRouter.DEAD_LETTERS));
    }

    /** The scorer's settings: from {@code conf}, with the vector width and spec hash of the file. */
    ScorerConfig scorerConfig() {
        return new ScoringGraph(conf).scorerConfig(spec.features().count(), spec.features().hash());
    }
}
