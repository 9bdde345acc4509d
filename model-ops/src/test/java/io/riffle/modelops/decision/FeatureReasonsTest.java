package io.riffle.modelops.decision;

import io.riffle.modelops.registry.ModelVersions;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FeatureReasonsTest {

    private static ModelVersion model(float[] mean, float[] std) {
        ModelVersion mv = ModelVersion.newBuilder(ModelVersions.fromOnnx(new byte[] {1}, "fraud", 3, ModelTask.BINARY,
                        mean.length))
                .setFeatureNames(List.of("amount", "count_1m", "hour_sin", "country_hash_0", "gap"))
                .build();
        return ModelVersions.withFeatureStats(mv, mean, std);
    }

    @Test
    void namesTheFeaturesFurthestFromTheTrainingMeanMostUnusualFirst() {
        FeatureReasons reasons = FeatureReasons.of(model(new float[] {10, 1, 0, 0, 5}, new float[] {2, 1, 0, 0.5f, 1}));
        List<String> codes = new ArrayList<>();
        // Row 2 of a batch: amount +4 sd, count +2 sd, hour constant in training (skipped), hash -1 sd, gap 0 sd.
        float[] batch = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 18, 3, 0.7f, -0.5f, 5};
        reasons.explain(batch, 10, codes);
        assertThat(codes).containsExactly(
                "fraud:v3:feature:amount=18.000:+4.0sd",
                "fraud:v3:feature:count_1m=3.000:+2.0sd",
                "fraud:v3:feature:country_hash_0=-0.500:-1.0sd");
    }

    @Test
    void keepsOnlyTheTopThreeAndNamesNothingWhenEveryFeatureSitsOnItsMean() {
        FeatureReasons reasons = FeatureReasons.of(model(new float[] {0, 0, 0, 0, 0}, new float[] {1, 1, 1, 1, 1}));
        List<String> codes = new ArrayList<>();
        reasons.explain(new float[] {1, -5, 2, 3, -4}, 0, codes);
        assertThat(codes).containsExactly(
                "fraud:v3:feature:count_1m=-5.000:-5.0sd",
                "fraud:v3:feature:gap=-4.000:-4.0sd",
                "fraud:v3:feature:country_hash_0=3.000:+3.0sd");
        codes.clear();
        reasons.explain(new float[] {0, 0, 0, 0, 0}, 0, codes);
        assertThat(codes).isEmpty();
    }

    @Test
    void aVersionWithoutStatsOrNamesGivesNoFeatureCodes() {
        ModelVersion noStats = ModelVersions.fromOnnx(new byte[] {1}, "fraud", 1, ModelTask.BINARY, 2);
        assertThat(FeatureReasons.of(noStats).available()).isFalse();
        ModelVersion noNames = ModelVersions.withFeatureStats(noStats, new float[] {0, 0}, new float[] {1, 1});
        assertThat(FeatureReasons.of(noNames).available()).isFalse();
        List<String> codes = new ArrayList<>();
        FeatureReasons.of(noNames).explain(new float[] {9, 9}, 0, codes);
        assertThat(codes).isEmpty();
    }

    @Test
    void statsAreTheRowsMeanAndPopulationStd() {
        ModelVersion mv = ModelVersions.fromOnnx(new byte[] {1}, "m", 1, ModelTask.BINARY, 2);
        ModelVersion withStats = ModelVersions.withFeatureStatsOf(mv, new float[][] {{1, 10}, {3, 10}});
        assertThat(withStats.getFeatureStats().getMean()).containsExactly(2f, 10f);
        assertThat(withStats.getFeatureStats().getStd()).containsExactly(1f, 0f);
    }
}
