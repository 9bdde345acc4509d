package io.riffle.jobs;

import io.riffle.jobs.serde.AvroRecordSerializer;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.Recommendation;
import io.riffle.schemas.Score;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/**
 * Where a {@link PipelineScoringJob} writes: every score, the alerts (scores whose decision is not
 * ALLOW), the feature vectors (null: not written), the model events and the dead letters.
 * {@link #kafka} is the production set; a test may hand in collecting sinks.
 */
public record ScoringSinks(Sink<Score> scores, Sink<Score> alerts, Sink<FeatureVector> features,
                           Sink<ModelEvent> modelEvents, Sink<DeadLetter> deadLetters,
                           Sink<Recommendation> recommendations) {

    /** Without a recommendations sink (a pipeline with no multiclass model). */
    public ScoringSinks(Sink<Score> scores, Sink<Score> alerts, Sink<FeatureVector> features,
                        Sink<ModelEvent> modelEvents, Sink<DeadLetter> deadLetters) {
        this(scores, alerts, features, modelEvents, deadLetters, null);
    }

    /**
     * The topics of {@code conf}, exactly-once or at-least-once as it says, each sink with a
     * transactional-id prefix of its own; no features sink when the features topic is empty, no
     * recommendations sink unless {@code recommends} (the pipeline may serve a multiclass model).
     */
    public static ScoringSinks kafka(Configuration conf, boolean recommends) {
        boolean writesFeatures = !conf.get(ScoringOptions.FEATURES_TOPIC).isEmpty();
        return new ScoringSinks(
                sink(conf, conf.get(ScoringOptions.SCORES_TOPIC), Score.class,
                        Score::getEventId, Score::getIngestTime, "scores"),
                sink(conf, conf.get(ScoringOptions.ALERTS_TOPIC), Score.class,
                        Score::getEntityId, Score::getIngestTime, "alerts"),
                writesFeatures ? sink(conf, conf.get(ScoringOptions.FEATURES_TOPIC), FeatureVector.class,
                        FeatureVector::getEventId, FeatureVector::getIngestTime, "features") : null,
                sink(conf, conf.get(ScoringOptions.MODEL_EVENTS_TOPIC), ModelEvent.class,
                        ModelEvent::getModelName, null, "model-events"),
                sink(conf, conf.get(ScoringOptions.DEAD_LETTERS_TOPIC), DeadLetter.class, null, null,
                        "dead-letters"),
                recommends && !conf.get(ScoringOptions.RECOMMENDATIONS_TOPIC).isEmpty()
                        ? sink(conf, conf.get(ScoringOptions.RECOMMENDATIONS_TOPIC), Recommendation.class,
                                Recommendation::getEntityId, null, "recommendations") : null);
    }

    private static <T extends SpecificRecordBase> KafkaSink<T> sink(Configuration conf, String topic,
                                                                    Class<T> type, AvroRecordSerializer.KeyOf<T> key,
                                                                    AvroRecordSerializer.IngestTimeOf<T> ingestTime,
                                                                    String name) {
        AvroRecordSerializer<T> serializer = new AvroRecordSerializer<>(topic, type, key,
                conf.get(ScoringOptions.OUTPUT_TIMESTAMP), ingestTime);
        return KafkaSinks.avro(conf.get(ScoringOptions.BOOTSTRAP_SERVERS), serializer, ScoringOptions.exactlyOnce(conf),
                conf.get(ScoringOptions.TRANSACTIONAL_ID_PREFIX) + "-" + name,
                conf.get(ScoringOptions.TRANSACTION_TIMEOUT), ScoringOptions.clientProperties(conf));
    }
}
