package io.riffle.cli;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job that fails on one record restarts, replays it and fails again: on the local cluster
 * {@code riffle run} and {@code riffle score} use, the watch prints a line naming the cause for
 * every restart and gives up (exit 1) after the allowed number, instead of restarting forever in
 * silence.
 */
class PipelineWatchITCase {

    /** Fails on record 42 every time it sees it. */
    static final class Poisoned implements MapFunction<Long, Long> {
        @Override
        public Long map(Long value) {
            if (value == 42) {
                throw new IllegalStateException("poison record 42");
            }
            return value;
        }
    }

    @Test
    void everyRestartIsReportedWithItsCauseAndTheWatchGivesUpAfterTheLimit() throws Exception {
        StreamExecutionEnvironment env = LocalFlink.environment(1, 0);
        env.fromSequence(0, 1_000).map(new Poisoned()).sinkTo(new DiscardingSink<>());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        JobClient job = env.executeAsync("poisoned");
        int exit;
        try (StopSignal stop = new StopSignal("test")) {
            exit = new PipelineWatch(LocalFlink.restAddress(env), job, 2, null, Duration.ofSeconds(1),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                    .watch(stop, Duration.ofMinutes(2));
        } finally {
            try {
                job.cancel().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // already gone
            }
        }
        String said = err.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(said).isEqualTo(1);
        // (the restarts counted between two looks depend on how busy the machine is)
        assertThat(said).containsPattern("job restarted \\(\\d+ restarts?; the command stops at 2\\): "
                        + "java.lang.IllegalStateException: poison record 42")
                .containsPattern("Stopping: the job restarted \\d+ times; last failure: "
                        + "java.lang.IllegalStateException: poison record 42");
    }
}
