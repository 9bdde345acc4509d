package io.riffle.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.trainer.model.FeatureMask;
import io.riffle.modelops.spec.ModelKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainerOptionsTest {

    private static final List<String> NAMES = List.of("amount_log1p", "count_1m", "count_24h", "hour_sin");

    private static TrainerOptions.Builder builder(List<String> names) {
        return TrainerOptions.builder("localhost:1", "fraud", ModelKind.MLP, 4, "spec", names);
    }

    @Test
    void ignoredFeaturesBecomeTheModelsFeatureMask() {
        TrainerOptions o = builder(NAMES).ignoredFeatures(List.of("hour_sin", "count_24h", "hour_sin")).build();
        assertThat(o.ignoredFeatures()).containsExactly("hour_sin", "count_24h");
        FeatureMask mask = o.featureMask();
        assertThat(mask.features()).isEqualTo(4);
        assertThat(mask.used()).isEqualTo(2);
        assertThat(mask.ignores(2)).isTrue();
        assertThat(mask.ignores(3)).isTrue();
        assertThat(mask.ignores(1)).isFalse();
        assertThat(builder(NAMES).build().featureMask().ignoresAny()).isFalse();
    }

    @Test
    void aHoldoutFractionOfZeroMeansNoHoldout() {
        assertThat(builder(NAMES).holdout(0).build().hasHoldout()).isFalse();
        assertThat(builder(NAMES).build().hasHoldout()).isTrue();
        assertThatThrownBy(() -> builder(NAMES).holdout(-0.1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holdout fraction must be in [0, 0.5) (0: no holdout), was -0.1");
    }

    @Test
    void anUnknownIgnoredFeatureIsAnErrorNamingIt() {
        assertThatThrownBy(() -> builder(NAMES).ignoredFeatures(List.of("count_1h")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ignored feature 'count_1h' is not one of the 4 features");
        assertThatThrownBy(() -> builder(List.of()).ignoredFeatures(List.of("count_1h")).build())
                .hasMessageContaining("need the names of all 4 features");
        assertThatThrownBy(() -> builder(NAMES).ignoredFeatures(NAMES).build())
                .hasMessageContaining("every one of the 4 features is ignored");
    }
}
