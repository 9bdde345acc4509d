package io.riffle.cli;

import io.riffle.bench.Variant;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a child JVM of {@code riffle bench --runs N} is given: the same options, one run, no shared JSON file. */
class BenchSuiteTest {

    @Test
    void aChildRunKeepsEveryOptionButRunsAndJson() {
        assertThat(BenchSuite.singleRunArgs(List.of("bench", "--delivery", "at-least-once", "--runs", "3", "--json",
                "/tmp/b.json", "--events=500000", "--runs=2", "--json=x.json", "--variants", "passthrough,riffle")))
                .containsExactly("--delivery", "at-least-once", "--events=500000", "--variants", "passthrough,riffle");
    }

    @Test
    void theSubcommandNameIsNotRepeated() {
        assertThat(BenchSuite.singleRunArgs(List.of("--events", "10"))).containsExactly("--events", "10");
        assertThat(BenchSuite.singleRunArgs(List.of("bench"))).isEmpty();
    }

    /** --runs alternates which of riffle and riffle-alt runs first (the later job in a JVM runs warmer). */
    @Test
    void riffleAltMovesJustBeforeRiffleWhenAskedAndOnlyThen() {
        List<Variant> all = List.of(Variant.PASSTHROUGH, Variant.NAIVE, Variant.RIFFLE, Variant.RIFFLE_ALT);
        assertThat(BenchSuite.order(all, false)).isEqualTo(all);
        assertThat(BenchSuite.order(all, true))
                .containsExactly(Variant.PASSTHROUGH, Variant.NAIVE, Variant.RIFFLE_ALT, Variant.RIFFLE);
        assertThat(BenchSuite.order(List.of(Variant.RIFFLE, Variant.RIFFLE_ALT), true))
                .containsExactly(Variant.RIFFLE_ALT, Variant.RIFFLE);
        assertThat(BenchSuite.order(List.of(Variant.PASSTHROUGH, Variant.RIFFLE), true))
                .containsExactly(Variant.PASSTHROUGH, Variant.RIFFLE);
        // the suite alone decides which runs go riffle-alt first: a user's --alt-first is not passed on to every run
        assertThat(BenchSuite.singleRunArgs(List.of("bench", "--alt", "a=b", "--alt-first", "--runs", "4")))
                .containsExactly("--alt", "a=b");
    }

    @Test
    void taskManagerCountsThatDoNotDivideTheParallelismAreRefusedInOneLine() {
        // refused before anything starts (no broker, no cluster)
        for (String[] args : List.of(new String[] {"bench", "--task-managers", "1,3"},
                new String[] {"bench", "--task-managers", "1,2", "--runs", "2"})) {
            RiffleInvocation run = RiffleInvocation.run(args);
            assertThat(run.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.err()).startsWith("Error: ").contains("--task-managers").doesNotContain("Exception");
        }
    }
}
