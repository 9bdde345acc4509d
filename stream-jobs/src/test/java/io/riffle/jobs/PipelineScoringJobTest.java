package io.riffle.jobs;

import io.riffle.jobs.operators.ScorerConfig;
import io.riffle.modelops.spec.DataFormat;
import io.riffle.modelops.spec.PipelineSpec;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A pipeline file's options and scoring graph, built without a cluster. */
class PipelineScoringJobTest {
    static PipelineSpec spec;

    @BeforeAll
    static void load() throws Exception {
        spec = PipelineSpec.load(Path.of("../pipelines/generic-30.yaml"));
    }

    @Test
    void theFileSetsTheJobsOptions() {
        Configuration conf = PipelineConfigs.configuration(spec);
        assertThat(conf.get(ScoringOptions.BOOTSTRAP_SERVERS)).isEqualTo("localhost:9092");
        assertThat(conf.get(ScoringOptions.EVENTS_TOPIC)).isEqualTo("generic.events");
        assertThat(conf.get(ScoringOptions.BATCH_SIZE)).isEqualTo(128);
        assertThat(conf.get(ScoringOptions.BATCH_MAX_DELAY)).isEqualTo(Duration.ofMillis(10));
        assertThat(conf.get(ScoringOptions.DEVICE)).isEqualTo("cpu");
        assertThat(ScoringOptions.exactlyOnce(conf)).isFalse();
        assertThat(conf.get(ScoringOptions.PARALLELISM)).isEqualTo(1);
        assertThat(conf.get(ScoringOptions.GROUP_ID)).isEqualTo("generic-30-scorer");
        assertThat(conf.get(ScoringOptions.TRANSACTIONAL_ID_PREFIX)).isEqualTo("generic-30-scorer");
        assertThat(conf.get(LabelJoinOptions.LABELS_TOPIC)).isEqualTo("generic.labels");
        assertThat(conf.get(LabelJoinOptions.LABELS_FORMAT)).isEqualTo(DataFormat.JSON);
        assertThat(conf.get(LabelJoinOptions.MAX_DELAY)).isEqualTo(Duration.ofMinutes(5));
        assertThat(conf.get(LabelJoinOptions.GROUP_ID)).isEqualTo("generic-30-label-join");
        assertThat(conf.get(LabelJoinOptions.TRANSACTIONAL_ID_PREFIX)).isEqualTo("generic-30-label-join");
        LabelJoinOptions.validate(conf);

        ScorerConfig scorer = new PipelineScoringJob(spec, conf).scorerConfig();
        assertThat(scorer.featureCount()).isEqualTo(spec.features().count());
        assertThat(scorer.specHash()).isEqualTo(spec.features().hash());
        assertThat(scorer.batchSize()).isEqualTo(128);
        assertThat(scorer.sourceTopic()).isEqualTo("generic.events");
    }

    @Test
    void everyOperatorHasAUidAndTheLabelJoinBuildsIntoTheSameEnvironment() {
        Configuration conf = PipelineConfigs.configuration(spec);
        Configuration envConf = new Configuration();
        envConf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(envConf);
        new PipelineScoringJob(spec, conf).build(env);
        new LabelJoinJob(conf).build(env);
        StreamGraph graph = env.getStreamGraph();
        assertThat(graph.getStreamNodes()).allSatisfy(n -> {
            assertThat(n.getTransformationUID()).as("uid of %s", n.getOperatorName()).isNotNull();
            assertThat(n.getOperatorName()).isNotBlank();
        });
        // The uids savepoints are matched by: renaming one orphans its state; the two jobs share none.
        assertThat(graph.getStreamNodes()).extracting(n -> n.getTransformationUID()).doesNotHaveDuplicates()
                .contains(
                "events-source",
                "dead-letter-router",
                "models-source",
                "scorer",
                "alerts",
                "scores-sink",
                "Sink Committer: scores-sink",
                "alerts-sink",
                "Sink Committer: alerts-sink",
                "features-sink",
                "Sink Committer: features-sink",
                "model-events-sink",
                "Sink Committer: model-events-sink",
                "dead-letter-counter",
                "dead-letters-sink",
                "Sink Committer: dead-letters-sink")
                .contains(LabelJoinJobTest.UIDS).hasSize(16 + LabelJoinJobTest.UIDS.length);
    }
}
