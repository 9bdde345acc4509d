package io.riffle.jobs;

import io.riffle.jobs.serde.AvroRecordSerializer;
import io.riffle.modelops.spec.OutputTimestamp;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.TrainingExample;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;

/**
 * Where a {@link LabelJoinJob} writes: the training examples and the dead letters (undecodable
 * input, unmatched labels). {@link #kafka} is the production pair; a test may hand in collecting sinks.
 */
public record LabelJoinSinks(Sink<TrainingExample> training, Sink<DeadLetter> deadLetters) {

    /**
     * The training and dead-letters topics. A training example's Kafka timestamp is its label
     * time: the trainer seeks the training topic by it to rebuild its window.
     */
    public static LabelJoinSinks kafka(Configuration conf) {
        boolean exactlyOnce = LabelJoinOptions.exactlyOnce(conf);
        String prefix = conf.get(LabelJoinOptions.TRANSACTIONAL_ID_PREFIX);
        return new LabelJoinSinks(
                KafkaSinks.avro(conf.get(LabelJoinOptions.BOOTSTRAP_SERVERS),
                        new AvroRecordSerializer<>(conf.get(LabelJoinOptions.TRAINING_TOPIC), TrainingExample.class,
                                TrainingExample::getEventId, OutputTimestamp.EVENT_TIME, null),
                        exactlyOnce, prefix + "-training", conf.get(LabelJoinOptions.TRANSACTION_TIMEOUT),
                        conf.get(LabelJoinOptions.KAFKA_PROPERTIES)),
                KafkaSinks.avro(conf.get(LabelJoinOptions.BOOTSTRAP_SERVERS),
                        conf.get(LabelJoinOptions.DEAD_LETTERS_TOPIC), DeadLetter.class, null, exactlyOnce,
                        prefix + "-dead-letters", conf.get(LabelJoinOptions.TRANSACTION_TIMEOUT),
                        conf.get(LabelJoinOptions.KAFKA_PROPERTIES)));
    }
}
