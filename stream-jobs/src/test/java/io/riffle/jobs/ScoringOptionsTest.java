package io.riffle.jobs;

import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.ScoringSpec;
import java.nio.file.Path;

import io.riffle.jobs.operators.ScorerConfig;
import io.riffle.schemas.Decision;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The scorer options that reach the scorer's config: what a failing model decides, TF32 on CUDA. */
class ScoringOptionsTest {

    private static PipelineSpec spec() throws Exception {
        return PipelineSpec.load(Path.of("../pipelines/generic-30.yaml"));
    }

    private static ScorerConfig scorerConfig(Configuration conf) throws Exception {
        return new PipelineScoringJob(spec(), conf, null, null).scorerConfig();
    }

    @Test
    void theDefaultsThatAFileCanSetAreTheFilesDefaults() {
        ScoringSpec file = ScoringSpec.defaults();
        Configuration none = new Configuration();
        assertThat(none.get(ScoringOptions.BATCH_SIZE)).isEqualTo(file.batchSize());
        assertThat(none.get(ScoringOptions.BATCH_MAX_DELAY)).isEqualTo(file.maxDelay());
        assertThat(ScoringOptions.device(none)).isEqualTo(file.device());
        assertThat(ScoringOptions.exactlyOnce(none)).isEqualTo(file.delivery() == ScoringSpec.Delivery.EXACTLY_ONCE);
        assertThat(none.get(ScoringOptions.PARALLELISM)).isEqualTo(file.parallelism());
        assertThat(none.get(ScoringOptions.OUTPUT_TIMESTAMP)).isEqualTo(file.outputTimestamp());
        assertThat(none.get(ScoringOptions.ON_MODEL_FAILURE)).isEqualTo(file.onModelFailure());
        assertThat(none.get(ScoringOptions.REQUIRE_SPEC_HASH)).isEqualTo(file.requireSpecHash());
    }

    @Test
    void deliveryDeviceAndRequiredModelsAreParsedInOnePlace() {
        Configuration conf = Configuration.fromMap(Map.of("riffle.sink.delivery", " At-Least-Once ",
                "riffle.scoring.device", "CUDA:2", "riffle.scoring.required-models", " fraud, ,anomaly "));
        assertThat(ScoringOptions.exactlyOnce(conf)).isFalse();
        assertThat(ScoringOptions.device(conf).toString()).isEqualTo("cuda:2");
        assertThat(ScoringOptions.requiredModels(conf)).containsExactly("fraud", "anomaly");
        Configuration bad = Configuration.fromMap(Map.of("riffle.sink.delivery", "twice", "riffle.scoring.device", "tpu"));
        assertThatThrownBy(() -> ScoringOptions.exactlyOnce(bad)).hasMessage(
                "riffle.sink.delivery is 'twice'; use exactly-once or at-least-once");
        assertThatThrownBy(() -> ScoringOptions.device(bad)).hasMessageStartingWith("riffle.scoring.device: ");
    }

    @Test
    void theNewOptionsAreDeclaredDocumentedAndInTheTable() {
        assertThat(ScoringOptions.all()).contains(ScoringOptions.ON_MODEL_FAILURE, ScoringOptions.CUDA_TF32);
        assertThat(ScoringOptions.markdownTable())
                .contains("| `riffle.scoring.on-model-failure` | `REVIEW` |")
                .contains("| `riffle.scoring.cuda-tf32` | `false` |")
                .contains("ALLOW fails open");
    }

    @Test
    void byDefaultAFailingModelIsReviewedAndTf32IsOff() throws Exception {
        ScorerConfig config = scorerConfig(new Configuration());
        assertThat(config.onModelFailure()).isEqualTo(Decision.REVIEW);
        assertThat(config.engine().tf32()).isFalse();
    }

    @Test
    void bothAreReadFromTheConfiguration() throws Exception {
        Configuration conf = Configuration.fromMap(Map.of("riffle.scoring.on-model-failure", "block",
                "riffle.scoring.cuda-tf32", "true", "riffle.scoring.device", "cuda:1"));
        ScorerConfig config = scorerConfig(conf);
        assertThat(config.onModelFailure()).isEqualTo(Decision.BLOCK);
        assertThat(config.engine().tf32()).isTrue();
        assertThat(config.engine().device().toString()).isEqualTo("cuda:1");
    }

    @Test
    void anUnknownFailureDecisionIsRefused() throws Exception {
        Configuration conf = Configuration.fromMap(Map.of("riffle.scoring.on-model-failure", "ignore"));
        assertThatThrownBy(() -> scorerConfig(conf))
                .hasMessageContaining("riffle.scoring.on-model-failure");
    }

    @Test
    void kafkaPropertiesThatWouldReadUncommittedOutputAreRefused() throws Exception {
        Configuration weak = new Configuration();
        weak.set(ScoringOptions.KAFKA_PROPERTIES, Map.of("isolation.level", "read_uncommitted"));
        assertThatThrownBy(() -> new PipelineScoringJob(spec(), weak)).hasMessageContaining("isolation.level=read_uncommitted")
                .hasMessageContaining("read_committed");
        Configuration fine = new Configuration();
        fine.set(ScoringOptions.KAFKA_PROPERTIES, Map.of("isolation.level", "read_committed", "security.protocol", "SSL"));
        assertThat(ScoringOptions.clientProperties(fine)).containsEntry("security.protocol", "SSL");
    }
}
