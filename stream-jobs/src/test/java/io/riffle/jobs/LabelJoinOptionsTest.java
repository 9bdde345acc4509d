package io.riffle.jobs;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabelJoinOptionsTest {

    @Test
    void everyOptionHasADescriptionAndIsInTheTable() {
        String table = LabelJoinOptions.markdownTable();
        assertThat(LabelJoinOptions.all()).hasSizeGreaterThanOrEqualTo(16).allSatisfy(o -> {
            assertThat(o.hasDefaultValue()).as(o.key()).isTrue();
            assertThat(o.description().toString()).as(o.key()).isNotBlank();
            assertThat(table).contains("| `" + o.key() + "` |");
        });
        assertThat(table).contains("| `riffle.labels.max-delay` | `3600 s` |")
                .contains("| `riffle.labels.implicit-negative-after` | `0 s` |");
    }

    @Test
    void keysSharedWithTheScoringJobHaveTheSameDefaults() {
        Map<String, Object> scoring = ScoringOptions.all().stream()
                .collect(Collectors.toMap(ConfigOption::key, ConfigOption::defaultValue));
        for (ConfigOption<?> option : LabelJoinOptions.all()) {
            if (scoring.containsKey(option.key())) {
                assertThat(option.defaultValue()).as(option.key()).isEqualTo(scoring.get(option.key()));
            }
        }
        // What must differ between two jobs on one cluster has keys of its own.
        assertThat(scoring).doesNotContainKeys(LabelJoinOptions.GROUP_ID.key(),
                LabelJoinOptions.TRANSACTIONAL_ID_PREFIX.key(), LabelJoinOptions.PARALLELISM.key());
    }

    @Test
    void validateNamesTheOptionsThatDisagree() {
        Configuration conf = new Configuration();
        LabelJoinOptions.validate(conf);
        conf.set(LabelJoinOptions.IMPLICIT_NEGATIVE_AFTER, Duration.ofHours(2));
        assertThatThrownBy(() -> LabelJoinOptions.validate(conf)).hasMessageContaining("riffle.labels.implicit-negative-after")
                .hasMessageContaining("riffle.labels.max-delay");
        conf.set(LabelJoinOptions.IMPLICIT_NEGATIVE_AFTER, Duration.ofMinutes(30));
        LabelJoinOptions.validate(conf);
        conf.set(LabelJoinOptions.DELIVERY, "maybe");
        assertThatThrownBy(() -> LabelJoinOptions.validate(conf)).hasMessageContaining("riffle.sink.delivery");
    }
}
