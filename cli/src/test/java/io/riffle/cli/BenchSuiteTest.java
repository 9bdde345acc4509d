package io.riffle.cli;

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
