package io.riffle.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The state-cost measurement at small entity counts: every point filled, linear in the entities, extrapolated. */
class StateCostTest {

    @Test
    void measuresEachEntityCountAndExtrapolatesFromTheLargest() throws Exception {
        List<String> said = new ArrayList<>();
        ObjectNode r = StateCost.run(List.of(2_000, 4_000), 5, said::add);

        JsonNode points = r.path("points");
        assertThat(points).hasSize(2);
        JsonNode small = points.get(0);
        JsonNode large = points.get(1);
        assertThat(small.path("entities").asInt()).isEqualTo(2_000);
        // Five events over a day leave more than the bare keys and counters in every entity's state.
        assertThat(small.path("checkpoint_bytes_per_entity").asLong()).isGreaterThan(200);
        // The same events per entity give the same state per entity, whatever the count.
        assertThat(large.path("checkpoint_bytes_per_entity").asDouble())
                .isCloseTo(small.path("checkpoint_bytes_per_entity").asDouble(), within(
                        small.path("checkpoint_bytes_per_entity").asDouble() * 0.05));
        assertThat(large.path("snapshot_ms").asDouble()).isPositive();
        assertThat(large.path("restore_ms").asDouble()).isPositive();
        JsonNode x = r.path("extrapolated_10m");
        assertThat(x.path("checkpoint_gb").asDouble())
                .isCloseTo(large.path("checkpoint_bytes").asDouble() * 2_500 / 1e9, within(0.01));
        assertThat(said).anyMatch(l -> l.startsWith("extrapolated to 10,000,000 entities"));
    }
}
