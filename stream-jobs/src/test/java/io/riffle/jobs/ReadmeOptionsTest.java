package io.riffle.jobs;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's option table is the one {@link ScoringOptions} generates: no option goes undocumented. */
class ReadmeOptionsTest {
    static final String BEGIN = "<!-- scoring-options:begin (generated from ScoringOptions; ReadmeOptionsTest checks it) -->\n";
    static final String END = "<!-- scoring-options:end -->";

    @Test
    void readmeListsEveryScoringOptionWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        assertThat(begin).as("README has the option table markers").isGreaterThanOrEqualTo(0);
        assertThat(end).isGreaterThan(begin);
        String table = readme.substring(begin + BEGIN.length(), end);
        assertThat(table).as("README option table; regenerate it from ScoringOptions.markdownTable()")
                .isEqualTo(ScoringOptions.markdownTable());
    }
}
