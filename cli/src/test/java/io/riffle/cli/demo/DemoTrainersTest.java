package io.riffle.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.modelops.spec.OnWorse;
import io.riffle.trainer.service.TrainerOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

class DemoTrainersTest {

    @Test
    void trainersUseThePipelinesFeatureContractAndTopicsWithTheDemosSchedule() {
        PipelineSpec pipeline = DemoPipeline.loadDefault();
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        TrainerOptions o = DemoTrainers.options(pipeline, "localhost:1", start, BootstrapModels.CLASSIFIER,
                ModelKind.MLP, Duration.ofSeconds(30), Duration.ofMinutes(3), 0.5, 0.9);
        assertThat(o.featureCount()).isEqualTo(pipeline.features().count());
        assertThat(o.specHash()).isEqualTo(pipeline.features().hash());
        assertThat(o.featureNames()).isEqualTo(pipeline.features().names());
        assertThat(o.trainingTopic()).isEqualTo(pipeline.kafka().topics().training());
        assertThat(o.modelsTopic()).isEqualTo(pipeline.kafka().topics().models());
        assertThat(o.training().kind()).isEqualTo(ModelKind.MLP);
        assertThat(o.training().maxEpochs()).isEqualTo(DemoTrainers.MAX_EPOCHS);
        assertThat(o.window()).isEqualTo(Duration.ofMinutes(3));
        assertThat(o.retrainEvery()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.minExamples()).isEqualTo(DemoTrainers.MIN_EXAMPLES);
        assertThat(o.onWorse()).isEqualTo(OnWorse.SHADOW);
        assertThat(o.reviewThreshold()).isEqualTo(0.5);
        assertThat(o.blockThreshold()).isEqualTo(0.9);
        assertThat(o.trainFrom()).isEqualTo(Long.MIN_VALUE);
        // The anomaly model skips the stream's first minute, while the 1-minute windows fill.
        TrainerOptions anomaly = DemoTrainers.options(pipeline, "localhost:1", start, BootstrapModels.ANOMALY,
                ModelKind.AUTOENCODER, Duration.ofSeconds(30), Duration.ofMinutes(3), 0.99, 0.999);
        assertThat(anomaly.trainFrom()).isEqualTo(start.plusSeconds(60).toEpochMilli());
    }

    @Test
    void bothTrainersIgnoreTheFeaturesThatGrowOrDriftWithTheAgeOfTheDemosStream() {
        PipelineSpec pipeline = DemoPipeline.loadDefault();
        List<String> ignored = List.of("hour_sin", "hour_cos", "count_1h", "count_24h", "amount_mean_1h",
                "amount_mean_24h", "amount_max_1h", "amount_max_24h", "amount_std_24h", "country_distinct_24h",
                "merchantId_distinct_1h", "time_since_previous", "amount_to_amount_mean_24h");
        for (ModelKind kind : List.of(ModelKind.MLP, ModelKind.AUTOENCODER)) {
            TrainerOptions o = DemoTrainers.options(pipeline, "localhost:1", Instant.EPOCH, "m", kind,
                    Duration.ofSeconds(30), Duration.ofMinutes(3), 0.5, 0.9);
            assertThat(o.ignoredFeatures()).containsExactlyInAnyOrderElementsOf(ignored);
            // The one-minute aggregates and the drift's mobile-wallet column stay learnable.
            assertThat(o.ignoredFeatures()).doesNotContain("count_1m", "amount_mean_1m", "amount_max_1m",
                    "channel_MOBILE", "amount_log1p");
            assertThat(o.featureMask().used()).isEqualTo(pipeline.features().count() - ignored.size());
        }
        assertThat(DemoTrainers.ignoredFeatures(pipeline.features()).get("count_24h"))
                .contains("window is longer than the demo's stream");
    }
}
