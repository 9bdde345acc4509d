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

import java.time.Duration;

/** Starting a pipeline's scoring job the way the containment tests need it. */
final class ScoringJobs {
    private ScoringJobs() {}

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
