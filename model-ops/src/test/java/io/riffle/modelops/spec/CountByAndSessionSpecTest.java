package io.riffle.modelops.spec;

import io.riffle.modelops.spec.AggregateFeature.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@code count_by} and the session features of {@code features.aggregates}: forms, columns, hash, and every refusal with its place. */
class CountByAndSessionSpecTest {

    @TempDir
    Path dir;

    // line 6 is "features:", so a features section's first line is line 7
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
    void listedValuesTopNShareAndSessionsGiveTheirColumnsInOrder() throws Exception {
        FeatureSpec f = SpecFixtures.load(dir, EVENTS + """
                  aggregates:
                    windows: [1h, 1m]
                    session-gap: 20m
                    functions:
                      - {count_by: country, values: [DE, "FR-x"]}
                      - {count_by: kind, top: 3, windows: [1h], share: true}
                      - session_events
                      - {session_duration: ~, log1p: true}
                      - time_since_previous
                """).features();
        assertThat(f.names()).containsExactly(
                "country_count_DE_1m", "country_count_FR_x_1m", "country_count_other_1m",
                "country_count_DE_1h", "country_count_FR_x_1h", "country_count_other_1h",
                "kind_share_h0_1h", "kind_share_h1_1h", "kind_share_h2_1h",
                "session_events", "session_duration_log1p", "time_since_previous");
        AggregateFeature byCountry = f.aggregates().get(0);
        assertThat(byCountry.function()).isEqualTo(Function.COUNT_BY);
        assertThat(byCountry.values()).containsExactly("DE", "FR-x");
        assertThat(byCountry.hashedTop()).isFalse();
        assertThat(byCountry.width()).isEqualTo(3);
        assertThat(f.aggregates().get(1).top()).isEqualTo(3);
        assertThat(f.aggregates().get(1).share()).isTrue();
        assertThat(f.sessionGap()).isEqualTo(Duration.ofMinutes(20));
        assertThat(f.aggregates().get(2).windows()).isEmpty();
        assertThat(f.stateWindows()).containsExactly(Duration.ofMinutes(1), Duration.ofHours(1));
    }

    @Test
    void theSessionGapDefaultsToThirtyMinutes() throws Exception {
        FeatureSpec f = SpecFixtures.load(dir, EVENTS + """
                  aggregates:
                    functions: [session_events]
                """).features();
        assertThat(f.sessionGap()).isEqualTo(Duration.ofMinutes(30));
        assertThat(f.names()).containsExactly("session_events");
        assertThat(f.stateWindows()).isEmpty();
    }

    @Test
    void theHashFollowsTheNewFeaturesAndLeavesOlderSpecsAlone() throws Exception {
        String base = EVENTS + """
                  aggregates:
                    windows: [1h]
                    functions:
                      - count
                """;
        FeatureSpec old = SpecFixtures.load(dir, base).features();
        // the canonical form of a spec without the new functions has none of their keys: its hash is the one models carry
        assertThat(old.canonicalJson()).doesNotContain("\"values\"", "\"top\"", "\"share\"", "\"gapMs\"");
        String values = SpecFixtures.load(dir, base + "      - {count_by: country, values: [DE]}\n").features().hash();
        String values2 = SpecFixtures.load(dir, base + "      - {count_by: country, values: [FR]}\n").features().hash();
        String top = SpecFixtures.load(dir, base + "      - {count_by: country, top: 1}\n").features().hash();
        String shared = SpecFixtures.load(dir, base + "      - {count_by: country, top: 1, share: true}\n").features().hash();
        String session = SpecFixtures.load(dir, base + "      - session_events\n").features().hash();
        String session2 = SpecFixtures.load(dir, base.replace("windows: [1h]", "windows: [1h]\n    session-gap: 10m")
                + "      - session_events\n").features().hash();
        String explicitDefault = SpecFixtures.load(dir, base.replace("windows: [1h]", "windows: [1h]\n    session-gap: 30m")
                + "      - session_events\n").features().hash();
        assertThat(List.of(old.hash(), values, values2, top, shared, session, session2)).doesNotHaveDuplicates();
        assertThat(explicitDefault).isEqualTo(session);
    }

    @Test
    void everyMistakeIsReportedWithItsPlace() throws Exception {
        List<SpecError> all = errors("""
                  aggregates:
                    windows: [1h]
                    session-gap: 0s
                    functions:
                      - count_by
                      - {count_by: country}
                      - {count_by: country, values: [DE], top: 4}
                      - {count_by: country, top: 0}
                      - {count_by: country, values: [DE, DE]}
                      - {count_by: country, values: [other]}
                      - {count_by: country, values: []}
                      - {count_by: amount, top: 2}
                      - {session_events: country}
                      - {session_duration: ~, windows: [1h]}
                      - {count_by: country, top: 2, cap: 1h}
                  ratios:
                    - {of: amount, to: "count_by(country, 1h)"}
                """);
        assertThat(all).extracting(e -> e.line() + ":" + e.column() + " " + e.path()).containsExactly(
                "9:18 features.aggregates.session-gap",                  // the value 0s
                "11:9 features.aggregates.functions[0]",                  // the scalar count_by
                "12:9 features.aggregates.functions[1]",                  // the entry's brace
                "13:9 features.aggregates.functions[2]",
                "14:34 features.aggregates.functions[3].top",             // the 0
                "15:42 features.aggregates.functions[4].values[1]",       // the second DE
                "16:38 features.aggregates.functions[5].values[0]",       // other
                "17:37 features.aggregates.functions[6].values",          // the empty list
                "18:20 features.aggregates.functions[7].count_by",        // amount
                "19:26 features.aggregates.functions[8].session_events",  // country
                "20:31 features.aggregates.functions[9].windows",         // the key
                "21:37 features.aggregates.functions[10].cap",            // the key
                "23:24 features.ratios[0].to");                           // the operand's opening quote
        assertThat(all.get(0).message()).contains("a session gap must be longer than 0");
        assertThat(all.get(1).message()).contains("count_by needs a field: write 'count_by: <field>'");
        assertThat(all.get(2).message()).contains("count_by needs exactly one of 'values: [a, b, ...]'", "'top: <N>'");
        assertThat(all.get(3).message()).contains("found both");
        assertThat(all.get(4).message()).contains("expected a whole number from 1 to 1024");
        assertThat(all.get(5).message()).contains("'DE' gives the column country_count_DE twice");
        assertThat(all.get(6).message()).contains("'other' is reserved");
        assertThat(all.get(7).message()).contains("values needs at least one value");
        assertThat(all.get(8).message()).contains("amount");
        assertThat(all.get(9).message()).contains("session_events takes no field; write '- session_events'");
        assertThat(all.get(10).message()).contains("unknown key 'windows'");
        assertThat(all.get(11).message()).contains("unknown key 'cap'", "values, top, share");
        assertThat(all.get(12).message()).contains("count_by cannot be a ratio operand");
    }
}
