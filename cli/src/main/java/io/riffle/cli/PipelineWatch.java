package io.riffle.cli;

import org.apache.flink.core.execution.JobClient;

import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;

/**
 * The foreground of {@code riffle run} and {@code riffle score}: until Ctrl-C (or the command's
 * duration), a status line every few seconds ({@link PipelineStatus}), a line for every restart of
 * the job with its cause, and a non-zero exit naming the cause once the job has restarted
 * {@code maxRestarts} times or ended by itself ({@link JobHealth}).
 */
final class PipelineWatch {
    private static final Duration LOOK_EVERY = Duration.ofSeconds(1);

    private final JobHealth health;
    private final PipelineStatus status;
    private final Duration every;
    private final PrintStream out;
    private final PrintStream err;

    /** @param status what the pipeline wrote, or null when its topics cannot be read (only health is shown) */
    PipelineWatch(URI rest, JobClient job, int maxRestarts, PipelineStatus status, Duration every, PrintStream out,
                  PrintStream err) {
        this.health = new JobHealth(rest, job.getJobID(), maxRestarts);
        this.status = status;
        this.every = every;
        this.out = out;
        this.err = err;
    }

    /**
     * Watches until Ctrl-C or {@code duration} (null: no limit): 0 then; 1 when the job restarted
     * too often or ended, after saying why.
     */
    int watch(StopSignal stop, Duration duration) throws InterruptedException {
        long start = System.currentTimeMillis();
        long end = duration == null ? Long.MAX_VALUE : start + duration.toMillis();
        long nextLine = start + every.toMillis();
        while (true) {
            if (stop.stoppedWithin(LOOK_EVERY) || System.currentTimeMillis() >= end) {
                return 0;
            }
            JobHealth.Check check = health.check();
            check.news().forEach(err::println);
            if (check.failed()) {
                err.println("Stopping: " + check.giveUp());
                err.println("Fix the cause above (the Flink log has the whole trace) and start again; "
                        + "records that fail are replayed after every restart.");
                return 1;
            }
            if (status != null) {
                status.poll(Duration.ofMillis(100));
            }
            if (System.currentTimeMillis() >= nextLine) {
                nextLine += every.toMillis();
                if (status == null) {
                    out.println(check.status() + " · restarts " + check.restarts());
                    continue;
                }
                out.println(status.line(check.status(), check.restarts()));
                String dead = status.newDeadLetter();
                if (dead != null) {
                    out.println("  newest dead letter: " + dead);
                }
            }
        }
    }
}
