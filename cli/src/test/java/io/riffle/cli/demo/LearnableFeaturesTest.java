package io.riffle.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.modelops.features.FeatureExtractor;
import io.riffle.modelops.spec.PipelineSpec;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LearnableFeaturesTest {

    private static PipelineSpec pipeline;
    private static FeatureExtractor features;

    @BeforeAll
    static void load() {
        pipeline = DemoPipeline.loadDefault();
        features = FeatureExtractor.of(pipeline);
    }

    /** The demo's case: 2 minutes of pre-drift traffic. */
    @Test
    void onTwoMinutesOfTheDemosTrafficTheModelsLearnFromTheAmountChannelCategoryCountryAndOneMinuteWindows() {
        LabeledExamples train = LabeledExamples.generate(features, 7, 60_000);
        LearnableFeatures learnable = LearnableFeatures.of(pipeline.features(), train);
        List<String> kept = new ArrayList<>();
        boolean[] ignored = learnable.ignored();
        for (int i = 0; i < ignored.length; i++) {
            if (!ignored[i]) {
                kept.add(pipeline.features().names().get(i));
            }
        }
        assertThat(learnable.reasons()).containsKeys("hour_sin", "hour_cos", "channel_MOBILE", "channel_other",
                "count_1h", "count_24h", "amount_mean_24h", "amount_max_1h", "amount_std_24h", "country_distinct_24h",
                "merchantId_distinct_1h", "time_since_previous", "amount_to_amount_mean_24h");
        assertThat(learnable.reasons().get("channel_MOBILE")).contains("every training row");
        assertThat(learnable.reasons().get("count_24h")).contains("longer than the");
        assertThat(learnable.reasons().get("time_since_previous")).contains("cap 24h");
        assertThat(kept).contains("amount_log1p", "channel_POS", "channel_ONLINE", "channel_ATM",
                "merchantCategory_hash_0", "country_hash_9", "count_1m", "amount_mean_1m", "amount_max_1m");
        assertThat(kept).allMatch(n -> !n.endsWith("_1h") && !n.endsWith("_24h") && !n.startsWith("hour_"));
        assertThat(learnable.used()).isEqualTo(kept.size());
    }

    @Test
    void afterTheDriftTheMobileWalletColumnIsLearnable() {
        LabeledExamples window = LabeledExamples.generateWithDrift(features, 8, 40_000, 10_000);
        LearnableFeatures learnable = LearnableFeatures.of(pipeline.features(), window);
        assertThat(learnable.reasons()).doesNotContainKey("channel_MOBILE").containsKey("channel_other");
    }

    @Test
    void aStreamShorterThanAWindowLeavesThatWindowOut() {
        // 20 seconds of traffic: even the 1-minute window has not filled.
        LabeledExamples shortStream = LabeledExamples.generate(features, 9, 10_000);
        LearnableFeatures learnable = LearnableFeatures.of(pipeline.features(), shortStream);
        assertThat(learnable.reasons()).containsKeys("count_1m", "amount_mean_1m", "amount_max_1m")
                .doesNotContainKey("amount_log1p");
    }
}
