package io.riffle.modelops.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.modelops.registry.ModelVersions;
import io.riffle.schemas.Decision;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import org.junit.jupiter.api.Test;

class DeciderTest {

    private static ModelVersion model(String name, ModelRole role) {
        ModelVersion mv = ModelVersions.fromOnnx(new byte[] {1}, name, 2, ModelTask.BINARY, 2);
        mv.setRole(role);
        mv.setReviewThreshold(0.5);
        mv.setBlockThreshold(0.9);
        return mv;
    }

    private static Decider.Verdict decide(Decider decider, ModelVersion[] versions, float... rowOutputs) {
        float[][] outputs = new float[versions.length][1];
        FeatureReasons[] explainers = new FeatureReasons[versions.length];
        for (int m = 0; m < versions.length; m++) {
            outputs[m][0] = rowOutputs[m];
            explainers[m] = FeatureReasons.of(versions[m]);
        }
        return decider.decide(versions, explainers, outputs, 0, new float[] {0f, 0f}, 0);
    }

    @Test
    void theMostSevereChampionDecidesWithOneReasonCodePerFlaggingModel() {
        Decider decider = new Decider(Decision.REVIEW);
        ModelVersion[] both = {model("a", ModelRole.CHAMPION), model("b", ModelRole.CHAMPION)};

        Decider.Verdict allow = decide(decider, both, 0.1f, 0.2f);
        assertThat(allow.decision()).isEqualTo(Decision.ALLOW);
        assertThat(allow.reasons()).isEmpty();

        Decider.Verdict block = decide(decider, both, 0.6f, 0.95f);
        assertThat(block.decision()).isEqualTo(Decision.BLOCK);
        assertThat(block.reasons()).containsExactly("a:v2:probability=0.600>=review:0.500",
                "b:v2:probability=0.950>=block:0.900");
    }

    @Test
    void shadowModelsAreScoredButDecideNothing() {
        Decider decider = new Decider(Decision.REVIEW);
        ModelVersion[] versions = {model("a", ModelRole.CHAMPION), model("a-shadow", ModelRole.SHADOW)};
        Decider.Verdict verdict = decide(decider, versions, 0.1f, 0.99f);
        assertThat(verdict.decision()).isEqualTo(Decision.ALLOW);
        assertThat(verdict.reasons()).isEmpty();
    }

    @Test
    void aNonFiniteOutputDecidesTheConfiguredFallbackAndSaysSoEvenWhenItAllows() {
        ModelVersion[] one = {model("a", ModelRole.CHAMPION)};
        Decider.Verdict review = decide(new Decider(Decision.REVIEW), one, Float.NaN);
        assertThat(review.decision()).isEqualTo(Decision.REVIEW);
        assertThat(review.reasons()).containsExactly("a:v2:output-not-finite=NaN->review");

        Decider.Verdict allow = decide(new Decider(Decision.ALLOW), one, Float.POSITIVE_INFINITY);
        assertThat(allow.decision()).isEqualTo(Decision.ALLOW);
        assertThat(allow.reasons()).containsExactly("a:v2:output-not-finite=Infinity->allow");
    }
}
