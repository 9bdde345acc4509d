package io.riffle.bench;

import io.riffle.modelops.spec.ScoringSpec;
import io.riffle.jobs.KafkaSinks;
import io.riffle.jobs.PipelineScoringJob;
import io.riffle.jobs.ScoringOptions;
import io.riffle.jobs.operators.SpecFeatureRows;
import io.riffle.jobs.serde.DecodedRecord;
import io.riffle.jobs.serde.GenericEventDeserializer;
import io.riffle.modelops.features.FeatureExtractor;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

/** Wires each variant's job into an environment; all three share source, checkpointing and sink settings. */
final class BenchJobs {
    private BenchJobs() {}

    static void build(Variant variant, JobSettings s, List<ModelVersion> naiveModels, StreamExecutionEnvironment env) {
        switch (variant) {
            case PASSTHROUGH -> passthrough(s, env, false);
            case PASSTHROUGH_KEYED -> passthrough(s, env, true);
            case NAIVE -> naive(s, naiveModels, env);
            case RIFFLE -> new PipelineScoringJob(BenchPipeline.spec(), riffleConfig(s)).build(env);
            case RIFFLE_ALT -> {
                Configuration c = riffleConfig(s);
                c.addAll(Configuration.fromMap(s.alt()));
                new PipelineScoringJob(BenchPipeline.spec(), c).build(env);
            }
        }
    }

    /**
     * Source → decode → re-encode → sink: the ceiling of the stack; {@code keyed}: with the events
     * keyed by card (the naive and riffle jobs' shuffle) before the sink, the ceiling of a keyed job.
     */
    static void passthrough(JobSettings s, StreamExecutionEnvironment env, boolean keyed) {
        common(s, env);
        DataStream<DecodedRecord> decoded = env.fromSource(source(s), WatermarkStrategy.noWatermarks(), "events")
                .uid("events-source")
                .filter(d -> d.deadLetter == null).name("decoded").uid("decoded");
        if (keyed) {
            decoded = decoded.keyBy(d -> d.key, Types.STRING);
        }
        decoded.sinkTo(KafkaSink.<DecodedRecord>builder()
                        .setBootstrapServers(s.bootstrapServers())
                        .setRecordSerializer(new IngestStampedSerializer(s.outputTopic(),
                                BenchPipeline.spec().eventSchema()))
                        .setDeliveryGuarantee(s.exactlyOnce() ? DeliveryGuarantee.EXACTLY_ONCE
                                : DeliveryGuarantee.AT_LEAST_ONCE)
                        .setTransactionalIdPrefix(s.transactionalIdPrefix())
                        .setKafkaProducerConfig(producerConfig())
                        .build())
                .name("passthrough-sink").uid("passthrough-sink");
    }

    /** Source → decode → keyBy(card) → RichMapFunction (features + one ORT call per record and model) → sink. */
    static void naive(JobSettings s, List<ModelVersion> models, StreamExecutionEnvironment env) {
        common(s, env);
        PipelineSpec spec = BenchPipeline.spec();
        env.fromSource(source(s), WatermarkStrategy.noWatermarks(), "events").uid("events-source")
                .filter(d -> d.deadLetter == null).name("decoded").uid("decoded")
                .keyBy(d -> d.key, Types.STRING)
                .map(new NaiveScorer(models, FeatureExtractor.of(spec),
                                SpecFeatureRows.stateTtl(spec)),
                        new AvroTypeInfo<>(Score.class))
                .name("naive-scorer").uid("naive-scorer")
                .sinkTo(KafkaSinks.avro(s.bootstrapServers(), s.outputTopic(), Score.class, Score::getEventId,
                        s.exactlyOnce(), s.transactionalIdPrefix(), JobSettings.TRANSACTION_TIMEOUT))
                .name("scores-sink").uid("scores-sink");
    }

    /**
     * The real scoring job's options: scores to the output topic, alerts and model events to
     * their own bench topics, the features topic off (the naive scorer writes no feature
     * vectors either), both models required before scoring starts.
     */
    static Configuration riffleConfig(JobSettings s) {
        Configuration c = new Configuration();
        c.set(ScoringOptions.BOOTSTRAP_SERVERS, s.bootstrapServers());
        c.set(ScoringOptions.EVENTS_TOPIC, s.eventsTopic());
        c.set(ScoringOptions.MODELS_TOPIC, s.modelsTopic());
        c.set(ScoringOptions.SCORES_TOPIC, s.outputTopic());
        c.set(ScoringOptions.FEATURES_TOPIC, "");
        c.set(ScoringOptions.ALERTS_TOPIC, s.outputTopic() + ".alerts");
        c.set(ScoringOptions.MODEL_EVENTS_TOPIC, s.outputTopic() + ".model-events");
        c.set(ScoringOptions.DEAD_LETTERS_TOPIC, s.outputTopic() + ".dead-letters");
        c.set(ScoringOptions.GROUP_ID, s.groupId());
        c.set(ScoringOptions.FROM_EARLIEST, true);
        c.set(ScoringOptions.BATCH_SIZE, s.batchSize());
        c.set(ScoringOptions.BATCH_MAX_DELAY, s.batchMaxDelay());
        c.set(ScoringOptions.REQUIRED_MODELS, BenchModels.ANOMALY + "," + BenchModels.FRAUD);
        c.set(ScoringOptions.DELIVERY, (s.exactlyOnce() ? ScoringSpec.Delivery.EXACTLY_ONCE
                : ScoringSpec.Delivery.AT_LEAST_ONCE).spelling());
        c.set(ScoringOptions.CHECKPOINT_INTERVAL, s.checkpointInterval());
        c.set(ScoringOptions.TRANSACTION_TIMEOUT, JobSettings.TRANSACTION_TIMEOUT);
        c.set(ScoringOptions.TRANSACTIONAL_ID_PREFIX, s.transactionalIdPrefix());
        c.set(ScoringOptions.PARALLELISM, s.parallelism());
        c.set(ScoringOptions.BUFFER_TIMEOUT, Duration.ofMillis(JobSettings.BUFFER_TIMEOUT_MS));
        return c;
    }

    /** What PipelineScoringJob.build sets on the environment, for the two jobs written here. */
    private static void common(JobSettings s, StreamExecutionEnvironment env) {
        env.setParallelism(s.parallelism());
        env.setBufferTimeout(JobSettings.BUFFER_TIMEOUT_MS);
        env.enableCheckpointing(s.checkpointInterval().toMillis(),
                s.exactlyOnce() ? CheckpointingMode.EXACTLY_ONCE : CheckpointingMode.AT_LEAST_ONCE);
    }

    /** The same source (and decoding) as the scoring job's events source. */
    private static KafkaSource<DecodedRecord> source(JobSettings s) {
        return KafkaSource.<DecodedRecord>builder()
                .setBootstrapServers(s.bootstrapServers())
                .setTopics(s.eventsTopic())
                .setGroupId(s.groupId())
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(GenericEventDeserializer.of(BenchPipeline.spec()))
                .setProperty("isolation.level", "read_committed")
                .setProperty("max.poll.records", "5000")
                .setProperty("max.partition.fetch.bytes", String.valueOf(8 << 20))
                .build();
    }

    /** The producer settings of {@link KafkaSinks}. */
    private static Properties producerConfig() {
        Properties producer = new Properties();
        producer.setProperty("transaction.timeout.ms", String.valueOf(JobSettings.TRANSACTION_TIMEOUT.toMillis()));
        producer.setProperty("linger.ms", "5");
        producer.setProperty("batch.size", String.valueOf(256 * 1024));
        return producer;
    }
}
