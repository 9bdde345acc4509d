package io.riffle.modelops.spec;

import io.riffle.modelops.spec.AggregateFeature.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The {@code aggregates:} and {@code ratios:} of a features section, read and refused. */
class AggregateSpecReaderTest {

    @TempDir
    Path dir;

    private static final String EVENTS = """
            events:
              schema: events.avsc
              key: userId
              id: eventId
              time: {field: ts, unit: epoch-millis}
            features:
            """;

    private List<SpecError> errors(String features) throws Exception {
        Path file = SpecFixtures.write(dir, EVENTS + features);
        PipelineSpecException e = catchThrowableOfType(PipelineSpecException.class, () -> PipelineSpec.load(file));
        assertThat(e).as("expected the file to be refused").isNotNull();
        return e.errors();
    }

    @Test
    void windowsAscendDefaultsApplyAndTheCapIsTheLongestWindow() throws Exception {
        FeatureSpec f = SpecFixtures.load(dir, EVENTS + """
                  aggregates:
                    windows: [1h, 1m]
                    functions:
                      - count
                      - {sum: amount, windows: [5m], log1p: true}
                      - {mean: amount, missing: value 0}
                      - time_since_previous
                  ratios:
                    - {of: amount, to: "max(amount, 1h)", when-zero: -1}
                    - {of: "count(1m)", to: "count(1h)"}
                """).features();
        List<AggregateFeature> a = f.aggregates();
        assertThat(a).extracting(AggregateFeature::function)
                .containsExactly(Function.COUNT, Function.SUM, Function.MEAN, Function.TIME_SINCE_PREVIOUS);
        assertThat(a.get(0).windows()).containsExactly(Duration.ofMinutes(1), Duration.ofHours(1));
        assertThat(a.get(1).windows()).containsExactly(Duration.ofMinutes(5));
        assertThat(a.get(1).log1p()).isTrue();
        assertThat(a.get(2).missing()).isEqualTo(MissingRule.value(0));
        assertThat(a.get(3).cap()).isEqualTo(Duration.ofHours(1));
        RatioFeature r = f.ratios().get(0);
        assertThat(r.of().isField()).isTrue();
        assertThat(r.to().function()).isEqualTo(Function.MAX);
        assertThat(r.to().window()).isEqualTo(Duration.ofHours(1));
        assertThat(r.whenZero()).isEqualTo(-1.0);
        assertThat(f.ratios().get(1).of().function()).isEqualTo(Function.COUNT);
    }

    @Test
    void mistakesNameTheEntry() throws Exception {
        List<SpecError> all = errors("""
                  aggregates:
                    windows: [1m, 1m]
                    functions:
                      - {count: amount}
                      - sum
                  ratios:
                    - {of: "distinct(country, 1m)", to: amount}
                    - {of: "mean(1m)", to: amount}
                """);
        assertThat(all).extracting(SpecError::path).containsExactly(
                "features.aggregates.windows[1]", "features.aggregates.functions[0].count",
                "features.aggregates.functions[1]", "features.ratios[0].of", "features.ratios[1].of");
        assertThat(all.get(0).message()).contains("window 1m is listed twice");
        assertThat(all.get(1).message()).contains("count takes no field; write '- count'");
        assertThat(all.get(2).message()).contains("sum needs a field: write 'sum: <field>'");
        assertThat(all.get(3).message()).contains("distinct cannot be a ratio operand");
        assertThat(all.get(4).message()).contains("mean takes (<field>, <window>), found 'mean(1m)'");
    }
}
