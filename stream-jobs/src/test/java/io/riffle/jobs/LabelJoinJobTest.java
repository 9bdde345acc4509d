package io.riffle.jobs;

import io.riffle.modelops.spec.PipelineSpec;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The job's graph, built without a cluster. */
class LabelJoinJobTest {
    /** The uids savepoints are matched by. */
    static final String[] UIDS = {
            "label-join-features-source",
            "label-join-features-dead-letter-router",
            "label-join-labels-source",
            "label-join-labels-dead-letter-router",
            "label-join",
            "label-join-label-time",
            "label-join-training-sink",
            "Sink Committer: label-join-training-sink",
            "label-join-dead-letter-counter",
            "label-join-dead-letters-sink",
            "Sink Committer: label-join-dead-letters-sink"};

    @Test
    void everyOperatorHasAUidAndANameOfItsOwn() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        new LabelJoinJob(new Configuration()).build(env);
        List<Transformation<?>> transformations = env.getTransformations();
        assertThat(transformations).isNotEmpty();
        StreamGraph graph = env.getStreamGraph();
        assertThat(graph.getStreamNodes()).allSatisfy(n -> {
            // Side outputs and unions are not operators; everything else carries its uid.
            assertThat(n.getTransformationUID()).as("uid of %s", n.getOperatorName()).isNotNull();
            assertThat(n.getOperatorName()).isNotBlank();
        });
        // The uids savepoints are matched by: renaming one orphans its state.
        assertThat(graph.getStreamNodes()).extracting(n -> n.getTransformationUID()).containsExactlyInAnyOrder(UIDS);
    }

    @Test
    void fromNextEventReadsOnlyTheFeatures() {
        Configuration conf = new Configuration();
        conf.set(LabelJoinOptions.FROM_NEXT_EVENT, true);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        new LabelJoinJob(conf).build(env);
        StreamGraph graph = env.getStreamGraph();
        assertThat(graph.getStreamNodes()).extracting(n -> n.getTransformationUID()).containsExactlyInAnyOrder(
                "label-join-features-source",
                "label-join-features-dead-letter-router",
                "label-join-next-event",
                "label-join-label-time",
                "label-join-training-sink",
                "Sink Committer: label-join-training-sink",
                "label-join-dead-letter-counter",
                "label-join-dead-letters-sink",
                "Sink Committer: label-join-dead-letters-sink");
    }

    @Test
    void fromNextEventNeedsAPositiveWindow() {
        Configuration conf = new Configuration();
        conf.set(LabelJoinOptions.FROM_NEXT_EVENT, true);
        conf.set(LabelJoinOptions.NEXT_EVENT_WITHIN, java.time.Duration.ZERO);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LabelJoinJob(conf))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("riffle.labels.next-event-within");
    }

    @Test
    void buildsIntoTheSameEnvironmentAsTheScoringJob() throws Exception {
        // riffle demo and riffle run build both jobs into one MiniCluster job: their uids must not collide.
        PipelineSpec spec = PipelineSpec.load(Path.of("../pipelines/demo.yaml"));
        Configuration conf = PipelineConfigs.configuration(spec);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        new PipelineScoringJob(spec, conf).build(env);
        new LabelJoinJob(conf).build(env);
        List<String> uids = env.getStreamGraph().getStreamNodes().stream().map(n -> n.getTransformationUID()).toList();
        assertThat(uids).doesNotHaveDuplicates().contains("scorer", "label-join");
    }
}
