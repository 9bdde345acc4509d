package io.riffle.bench;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a phase tells whether its job still runs, on the bench's local MiniCluster: null while it
 * runs, the cause once it failed or was cancelled, and asked without starting threads each time
 * (the job client of a remote environment starts a REST client with threads of its own per
 * question, and the phases ask every 100-250 ms while they are measured).
 */
class PhaseJobsITCase {
    private final BenchSettings settings = new BenchSettings(1_000, 100, 0, 1, 2, 64, Duration.ofMillis(20), false,
            Duration.ofSeconds(2), 0.5, 0, Duration.ofSeconds(10), Duration.ofSeconds(3), Duration.ofSeconds(2), true,
            List.of(Variant.PASSTHROUGH), Duration.ofMinutes(3), Map.of());
    private final List<String> said = new ArrayList<>();

    @Test
    void aRunningJobIsNotEndedAFailedOneNamesItsCauseAndAskingStartsNoThreads() throws Exception {
        try (PhaseJobs jobs = new PhaseJobs(null, settings, List.of(), said::add)) {
            StreamExecutionEnvironment env = jobs.environment(Map.of());
            env.setParallelism(1);
            env.fromSequence(0, Long.MAX_VALUE).map(x -> {
                Thread.sleep(10);
                return x;
            }).sinkTo(new DiscardingSink<>());
            JobClient running = env.executeAsync("runs");

            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            // the job client's own way, for comparison: a REST client (and its threads) per question
            long before = threads.getTotalStartedThreadCount();
            for (int i = 0; i < 20; i++) {
                running.getJobStatus().get(30, TimeUnit.SECONDS);
            }
            long byJobClient = threads.getTotalStartedThreadCount() - before;
            before = threads.getTotalStartedThreadCount();
            for (int i = 0; i < 20; i++) {
                assertThat(jobs.terminalFailure(running)).isNull();
            }
            long byPhase = threads.getTotalStartedThreadCount() - before;
            assertThat(byJobClient).as("threads started by 20 questions to the job client").isGreaterThanOrEqualTo(20);
            assertThat(byPhase).as("threads started by 20 questions of a phase (the job client's: %d)", byJobClient)
                    .isLessThan(byJobClient / 4);

            StreamExecutionEnvironment failing = jobs.environment(Map.of());
            failing.setParallelism(1);
            failing.fromSequence(1, 10).map(x -> {
                if (x == 5) {
                    throw new IllegalStateException("record 5 is bad");
                }
                return x;
            }).sinkTo(new DiscardingSink<>());
            JobClient failed = failing.executeAsync("fails");
            assertThat(awaitEnd(jobs, failed)).contains("FAILED").contains("record 5 is bad");

            jobs.stop(running);
            assertThat(awaitEnd(jobs, running)).contains("CANCELED");
        }
    }

    private static String awaitEnd(PhaseJobs jobs, JobClient job) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String failure = jobs.terminalFailure(job);
        while (failure == null && System.nanoTime() < deadline) {
            Thread.sleep(100);
            failure = jobs.terminalFailure(job);
        }
        return failure;
    }
}
