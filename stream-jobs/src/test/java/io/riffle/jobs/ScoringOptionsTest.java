package io.riffle.jobs;

import io.riffle.jobs.operators.ScorerConfig;
import io.riffle.schemas.Decision;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The scorer options that reach the scorer's config: what a failing model decides, TF32 on CUDA. */
class ScoringOptionsTest {

    @Test
    void theNewOptionsAreDeclaredDocumentedAndInTheTable() {
        assertThat(ScoringOptions.all()).contains(ScoringOptions.ON_MODEL_FAILURE, ScoringOptions.CUDA_TF32);
        assertThat(ScoringOptions.markdownTable())
                .contains("| `riffle.scoring.on-model-failure` | `REVIEW` |")
                .contains("| `riffle.scoring.cuda-tf32` | `false` |")
                .contains("ALLOW fails open");
    }

    @Test
    void byDefaultAFailingModelIsReviewedAndTf32IsOff() {
        ScorerConfig config = new ScoringGraph(new Configuration()).scorerConfig(16, null);
        assertThat(config.onModelFailure()).isEqualTo(Decision.REVIEW);
        assertThat(config.engine().tf32()).isFalse();
    }

    @Test
    void bothAreReadFromTheConfiguration() {
        Configuration conf = Configuration.fromMap(Map.of("riffle.scoring.on-model-failure", "block",
                "riffle.scoring.cuda-tf32", "true", "riffle.scoring.device", "cuda:1"));
        ScorerConfig config = new ScoringGraph(conf).scorerConfig(16, null);
        assertThat(config.onModelFailure()).isEqualTo(Decision.BLOCK);
        assertThat(config.engine().tf32()).isTrue();
        assertThat(config.engine().device().toString()).isEqualTo("cuda:1");
    }

    @Test
    void anUnknownFailureDecisionIsRefused() {
        Configuration conf = Configuration.fromMap(Map.of("riffle.scoring.on-model-failure", "ignore"));
        assertThatThrownBy(() -> new ScoringGraph(conf).scorerConfig(16, null))
                .hasMessageContaining("riffle.scoring.on-model-failure");
    }

    @Test
    void kafkaPropertiesThatWouldReadUncommittedOutputAreRefused() {
        Configuration weak = new Configuration();
        weak.set(ScoringOptions.KAFKA_PROPERTIES, Map.of("isolation.level", "read_uncommitted"));
        assertThatThrownBy(() -> new ScoringGraph(weak)).hasMessageContaining("isolation.level=read_uncommitted")
                .hasMessageContaining("read_committed");
        Configuration fine = new Configuration();
        fine.set(ScoringOptions.KAFKA_PROPERTIES, Map.of("isolation.level", "read_committed", "security.protocol", "SSL"));
        assertThat(ScoringOptions.clientProperties(fine)).containsEntry("security.protocol", "SSL");
    }
}
