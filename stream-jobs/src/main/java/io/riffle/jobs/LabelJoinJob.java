package io.riffle.jobs;

import io.riffle.jobs.operators.DecodeFailureRouter;
import io.riffle.jobs.operators.DeadLetterCounter;
import io.riffle.jobs.operators.LabelJoiner;
import io.riffle.jobs.operators.NextEventLabeler;
import io.riffle.jobs.serde.DecodedFeatureVector;
import io.riffle.jobs.serde.DecodedLabel;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.TrainingExample;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The label-join job: the feature vectors the scorer saw ({@code riffle.features}) and the labels
 * that arrive later ({@code riffle.labels}), both decoded in the source (failures to dead
 * letters) and keyed by event id, are joined by {@link LabelJoiner} into training examples for
 * the trainer ({@code riffle.training}); unmatched labels go to the dead letters. With labels from
 * the next event ({@link LabelJoinOptions#FROM_NEXT_EVENT}) only the features are read, keyed by
 * entity, and {@link NextEventLabeler} labels each vector with its entity's next event.
 *
 * <p>A job of its own rather than a stage of the scoring job: it reads the features topic, which
 * is the scorer's committed output, so it can be restarted, rescaled or replayed (with a longer
 * label delay) without touching scoring latency or the scorer's checkpoints, and its state (one
 * vector per event for the whole label delay) does not weigh on the scorer's checkpoints.
 */
public final class LabelJoinJob {
    private final Configuration conf;
    private final LabelJoinSources sources;
    private final LabelJoinSinks sinks;

    public LabelJoinJob(Configuration conf, LabelJoinSources sources, LabelJoinSinks sinks) {
        LabelJoinOptions.validate(conf);
        this.conf = conf;
        this.sources = sources;
        this.sinks = sinks;
    }

    /** The job on the Kafka topics {@code conf} names. */
    public LabelJoinJob(Configuration conf) {
        this(conf, LabelJoinSources.kafka(conf), LabelJoinSinks.kafka(conf));
    }

    /** Wires the job into {@code env} (checkpointing included) without running it. */
    public void build(StreamExecutionEnvironment env) {
        int parallelism = conf.get(LabelJoinOptions.PARALLELISM);
        env.enableCheckpointing(conf.get(LabelJoinOptions.CHECKPOINT_INTERVAL).toMillis(),
                LabelJoinOptions.exactlyOnce(conf) ? CheckpointingMode.EXACTLY_ONCE : CheckpointingMode.AT_LEAST_ONCE);

        boolean nextEvent = conf.get(LabelJoinOptions.FROM_NEXT_EVENT);
        // An undecodable vector has no event time. Its Kafka time (ingest time, possibly far ahead of
        // the event times of a replayed history) would push the watermark that next-event labels
        // are resolved by past every vector still to come: there it takes no part in the watermark.
        SingleOutputStreamOperator<FeatureVector> features = env
                .fromSource(sources.features(), watermarks((DecodedFeatureVector d, long kafkaTime) ->
                                d.vector != null ? d.vector.getEventTime() : nextEvent ? Long.MIN_VALUE : kafkaTime),
                        "label-join-features", TypeInformation.of(DecodedFeatureVector.class))
                .uid("label-join-features-source").setParallelism(parallelism)
                .process(new DecodeFailureRouter<>(d -> d.deadLetter, d -> d.vector), new AvroTypeInfo<>(FeatureVector.class))
                .name("label-join-features-dead-letter-router").uid("label-join-features-dead-letter-router")
                .setParallelism(parallelism);

        if (nextEvent) {
            // Labels from the stream itself: each entity's next vector labels its previous one.
            SingleOutputStreamOperator<TrainingExample> examples = features
                    .keyBy(FeatureVector::getEntityId, Types.STRING)
                    .process(new NextEventLabeler(conf.get(LabelJoinOptions.NEXT_EVENT_WITHIN)),
                            new AvroTypeInfo<>(TrainingExample.class))
                    .name("label-join-next-event").uid("label-join-next-event").setParallelism(parallelism);
            sink(examples, features.getSideOutput(DecodeFailureRouter.DEAD_LETTERS), parallelism);
            return;
        }

        SingleOutputStreamOperator<DecodedLabel> labels = env
                .fromSource(sources.labels(), watermarks((DecodedLabel d, long kafkaTime) ->
                                d.label != null ? d.label.getLabelTime() : kafkaTime),
                        "label-join-labels", TypeInformation.of(DecodedLabel.class))
                .uid("label-join-labels-source").setParallelism(parallelism)
                .process(new DecodeFailureRouter<DecodedLabel, DecodedLabel>(d -> d.deadLetter, d -> d),
                        TypeInformation.of(DecodedLabel.class))
                .name("label-join-labels-dead-letter-router").uid("label-join-labels-dead-letter-router")
                .setParallelism(parallelism);

        SingleOutputStreamOperator<TrainingExample> examples = features
                .keyBy(FeatureVector::getEventId, Types.STRING)
                .connect(labels.keyBy(d -> d.label.getEventId(), Types.STRING))
                .process(new LabelJoiner(conf.get(LabelJoinOptions.MAX_DELAY), conf.get(LabelJoinOptions.WAIT_FOR_FEATURES),
                        conf.get(LabelJoinOptions.IMPLICIT_NEGATIVE_AFTER)), new AvroTypeInfo<>(TrainingExample.class))
                .name("label-join").uid("label-join").setParallelism(parallelism);

        sink(examples, features.getSideOutput(DecodeFailureRouter.DEAD_LETTERS)
                .union(labels.getSideOutput(DecodeFailureRouter.DEAD_LETTERS),
                        examples.getSideOutput(LabelJoiner.UNMATCHED_LABELS)), parallelism);
    }

    private void sink(DataStream<TrainingExample> examples, DataStream<DeadLetter> deadLetters, int parallelism) {
        // Kafka record timestamp = label time, whichever input completed the example (or the timer
        // of an implicit negative, or the next event): the trainer seeks riffle.training by it to
        // rebuild its window, and a replayed join stamps its examples the same way.
        examples.assignTimestampsAndWatermarks(WatermarkStrategy.<TrainingExample>noWatermarks()
                        .withTimestampAssigner((e, previous) -> e.getLabelTime()))
                .name("label-join-label-time").uid("label-join-label-time").setParallelism(parallelism)
                .sinkTo(sinks.training())
                .name("label-join-training-sink").uid("label-join-training-sink").setParallelism(parallelism);
        deadLetters.map(new DeadLetterCounter()).name("label-join-dead-letter-counter")
                .uid("label-join-dead-letter-counter").setParallelism(parallelism)
                .sinkTo(sinks.deadLetters())
                .name("label-join-dead-letters-sink").uid("label-join-dead-letters-sink").setParallelism(parallelism);
    }

    /** Event-time watermarks with idleness: labels are sparse and must not hold the join's watermark back. */
    private <T> WatermarkStrategy<T> watermarks(SerializableTimestampAssigner<T> eventTime) {
        return WatermarkStrategy.<T>forBoundedOutOfOrderness(conf.get(LabelJoinOptions.OUT_OF_ORDERNESS))
                .withTimestampAssigner(eventTime)
                .withIdleness(conf.get(LabelJoinOptions.IDLENESS));
    }
}
