package io.riffle.tests;

import io.riffle.cli.KafkaTopics;
import io.riffle.jobs.PipelineConfigs;
import io.riffle.jobs.PipelineScoringJob;
import io.riffle.jobs.ScoringOptions;
import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.testing.TestModels;
import io.riffle.schemas.ModelVersion;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Starting a pipeline's scoring job the way the containment tests need it. */
final class ScoringJobs {
    /** The generic-30 event schema the pipelines below read. */
    static final Path SCHEMA = Path.of("../pipelines/generic-30.avsc").toAbsolutePath().normalize();

    private ScoringJobs() {}

    /**
     * A pipeline file {@code dir/name.yaml} of JSON or Avro generic-30 events keyed by device, with
     * topics of its own ({@code name.events}, ...), a few field and windowed features, one binary
     * model "generic" (review at {@code review}, block at 0.9) and parallelism 2; {@code extra} is
     * appended (e.g. a {@code privacy:} section).
     */
    static PipelineSpec pipeline(Path dir, String name, String format, String delivery, double review, String extra)
            throws Exception {
        String yaml = """
                name: %1$s
                kafka:
                  topics:
                    events: %1$s.events
                    labels: %1$s.labels
                    features: %1$s.features
                    scores: %1$s.scores
                    alerts: %1$s.alerts
                    training: %1$s.training
                    models: %1$s.models
                    model-events: %1$s.model-events
                    dead-letters: %1$s.dead-letters
                events:
                  schema: %2$s
                  format: %3$s
                  key: deviceId
                  id: eventId
                  time: {field: eventTime, unit: epoch-millis}
                  allowed-lateness: 10s
                features:
                  fields:
                    - numeric: x00
                    - numeric: x01
                    - numeric: x02
                    - numeric: x03
                    - categorical: region
                      one_hot: [north, south, east, west]
                  aggregates:
                    windows: [1m, 10m]
                    functions: [count, {mean: x00}, {std: x00}, {max: x01}, time_since_previous]
                models:
                  - name: generic
                    task: binary
                    trainer: {kind: logistic}
                    thresholds: {review: %5$s, block: 0.9}
                scoring:
                  batch-size: 64
                  max-delay: 10ms
                  delivery: %4$s
                  parallelism: 2
                """.formatted(name, SCHEMA, format, delivery, review) + extra;
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        return PipelineSpec.load(file);
    }

    /**
     * Creates {@code spec}'s topics (2 partitions), publishes a binary model "generic" v1 stamped with
     * its spec hash, and starts its scoring job with no restart allowed: a record that failed a task
     * fails the job, which the tests then see.
     */
    static JobClient startWithoutRestarts(PipelineSpec spec, String servers) throws Exception {
        KafkaSpec.TopicNames topics = spec.kafka().topics();
        KafkaTopics.ensureFor(servers, 2, topics);
        try (ModelRegistry registry = new ModelRegistry(servers, topics.models())) {
            ModelVersion mv = TestModels.binaryMlp("generic", 1, spec.features().count(), 1);
            registry.publish(ModelVersion.newBuilder(mv).setFeatureSpecHash(spec.features().hash()).build());
        }
        Configuration conf = PipelineConfigs.configuration(spec);
        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, servers);
        conf.set(ScoringOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
        Configuration envConf = new Configuration();
        envConf.set(PipelineOptions.GENERIC_TYPES, false);
        envConf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(envConf);
        new PipelineScoringJob(spec, conf).build(env);
        return env.executeAsync(spec.name());
    }
}
