package io.riffle.modelops.spec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The spec hash follows meaning, not spelling. */
class FeatureSpecHashTest {

    @TempDir
    Path dir;

    private static final String BASE = """
            events:
              schema: events.avsc
              key: userId
              id: eventId
              time: {field: ts, unit: epoch-millis}
            features:
              fields:
                - numeric: amount
                  clip: [0, 1000]
                  log1p: true
                - {categorical: country, hash: 4}
              time: [hour_of_day]
              aggregates:
                windows: [1m, 1h]
                functions:
                  - count
                  - mean: amount
              ratios:
                - {of: amount, to: "mean(amount, 1h)"}
            """;

    private FeatureSpec spec(String yaml) throws Exception {
        return SpecFixtures.load(dir, yaml).features();
    }

    @Test
    void reorderingKeysKeepsTheHash() throws Exception {
        String reordered = """
                features:
                  ratios:
                    - {to: "mean(amount, 1h)", of: amount}
                  aggregates:
                    functions:
                      - count
                      - mean: amount
                    windows: [1h, 1m]
                  time: [hour_of_day]
                  fields:
                    - log1p: true
                      clip: [0.0, 1000.0]
                      numeric: amount
                    - {hash: 4, categorical: country}
                events:
                  time: {unit: epoch-millis, field: ts}
                  id: eventId
                  key: userId
                  schema: events.avsc
                scoring: {batch-size: 64}
                """;
        FeatureSpec a = spec(BASE);
        FeatureSpec b = spec(reordered);
        assertThat(b.hash()).isEqualTo(a.hash());
        assertThat(b.names()).isEqualTo(a.names());
        assertThat(b).isEqualTo(a);
    }

    @Test
    void makingDefaultsExplicitKeepsTheHash() throws Exception {
        String explicit = BASE
                .replace("    windows: [1m, 1h]\n", "    windows: [60s, 60m]\n    buckets: 20\n")
                .replace("      - mean: amount\n", "      - {mean: amount, windows: [1m, 1h], log1p: false}\n")
                .replace("unit: epoch-millis}", "unit: epoch-millis}\n  format: avro\n  allowed-lateness: 1m")
                .replace("{of: amount, to: \"mean(amount, 1h)\"}", "{of: amount, to: \"mean( amount , 60m )\", when-zero: 0}");
        assertThat(explicit).isNotEqualTo(BASE);
        assertThat(spec(explicit).hash()).isEqualTo(spec(BASE).hash());
    }

    @Test
    void changingAWindowChangesTheHash() throws Exception {
        FeatureSpec base = spec(BASE);
        FeatureSpec other = spec(BASE.replace("windows: [1m, 1h]", "windows: [5m, 1h]"));
        assertThat(other.hash()).isNotEqualTo(base.hash());
        assertThat(other.names()).contains("count_5m").doesNotContain("count_1m");
    }

    @Test
    void changingMeaningChangesTheHash() throws Exception {
        String base = spec(BASE).hash();
        assertThat(spec(BASE.replace("buckets", "x").replace("    windows: [1m, 1h]\n", "    windows: [1m, 1h]\n    buckets: 10\n")).hash())
                .as("buckets").isNotEqualTo(base);
        assertThat(spec(BASE.replace("clip: [0, 1000]", "clip: [0, 999]")).hash()).as("clip").isNotEqualTo(base);
        assertThat(spec(BASE.replace("hash: 4", "hash: 5")).hash()).as("hash buckets").isNotEqualTo(base);
        assertThat(spec(BASE.replace("key: userId", "key: country")).hash()).as("entity key").isNotEqualTo(base);
        String swapped = BASE.replace("""
                    - numeric: amount
                      clip: [0, 1000]
                      log1p: true
                    - {categorical: country, hash: 4}
                """, """
                    - {categorical: country, hash: 4}
                    - numeric: amount
                      clip: [0, 1000]
                      log1p: true
                """);
        assertThat(swapped).isNotEqualTo(BASE);
        assertThat(spec(swapped).hash()).as("column order").isNotEqualTo(base);
    }

    @Test
    void namesAndHashAreStable() throws Exception {
        FeatureSpec f = spec(BASE);
        assertThat(f.names()).containsExactly("amount_log1p", "country_hash_0", "country_hash_1", "country_hash_2",
                "country_hash_3", "hour_sin", "hour_cos", "count_1m", "count_1h", "amount_mean_1m", "amount_mean_1h",
                "amount_to_amount_mean_1h");
        // the canonical form is part of the contract with published models: a change here must be deliberate
        assertThat(f.canonicalJson()).startsWith("{\"aggregates\":[{\"capMs\":null,\"field\":null,\"function\":\"count\"");
        assertThat(f.canonicalJson()).contains("\"windowsMs\":[60000,3600000]", "\"version\":\"riffle-features/1\"",
                "\"of\":\"amount\",\"to\":\"mean(amount, 1h)\"");
        assertThat(spec(BASE).hash()).isEqualTo(f.hash());
    }
}
