package io.riffle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A wrong flag or value, in any command, is one line naming it and a hint: no usage dump, no stack trace. */
class UserErrorsTest {

    private static void assertOneLineAndAHint(RiffleInvocation run, String named) {
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).startsWith("Error: ").contains(named).contains("\nHint: ")
                .doesNotContain("Usage:").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(run.err().lines().filter(l -> l.startsWith("Error: ")).count()).isEqualTo(1);
    }

    @Test
    void aMisspelledFlagIsNamedWithASuggestion() {
        RiffleInvocation run = RiffleInvocation.run("trainer", "--holdout-fractoin", "0.1");
        assertOneLineAndAHint(run, "--holdout-fractoin");
        assertThat(run.err()).contains("--holdout-fraction").contains("riffle trainer --help");
    }

    @Test
    void aValueOfTheWrongTypeIsNamed() {
        assertOneLineAndAHint(RiffleInvocation.run("trainer", "--window", "banana"), "banana");
        assertOneLineAndAHint(RiffleInvocation.run("trainer", "--min-examples", "many"), "many");
        assertOneLineAndAHint(RiffleInvocation.run("run", "--kafka-port", "x"), "--kafka-port");
        assertOneLineAndAHint(RiffleInvocation.run("models", "list", "--nope"), "--nope");
    }

    @Test
    void aTrainerValueOutOfRangeIsOneLineAndAHint() {
        RiffleInvocation run = RiffleInvocation.run("trainer", "--holdout-fraction", "0.7");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err().lines().toList()).hasSize(2);
        assertThat(run.err()).startsWith("Not started: holdout fraction must be in [0, 0.5) (0: no holdout), was 0.7")
                .contains("Hint: ").doesNotContain("Exception");
    }
}
