package io.riffle.jobs;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's option tables are the ones the {@code *Options} classes generate: no option goes undocumented. */
class ReadmeOptionsTest {

    static Stream<Arguments> tables() {
        return Stream.of(Arguments.of("scoring-options", "ScoringOptions", ScoringOptions.markdownTable()),
                Arguments.of("label-join-options", "LabelJoinOptions", LabelJoinOptions.markdownTable()));
    }

    static String begin(String marker, String source) {
        return "<!-- " + marker + ":begin (generated from " + source + "; ReadmeOptionsTest checks it) -->\n";
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("tables")
    void readmeListsEveryOptionWithItsDefault(String marker, String source, String expected) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String begin = begin(marker, source);
        int from = readme.indexOf(begin);
        int to = readme.indexOf("<!-- " + marker + ":end -->");
        assertThat(from).as("README has the %s table markers", source).isGreaterThanOrEqualTo(0);
        assertThat(to).isGreaterThan(from);
        assertThat(readme.substring(from + begin.length(), to))
                .as("README option table; regenerate it from %s.markdownTable()", source).isEqualTo(expected);
    }
}
